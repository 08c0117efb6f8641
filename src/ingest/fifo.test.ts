import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

type Op = ['push', number] | ['drop', number];

describe('Fifo', () => {
  it.each<[string, Op[], number[]]>([
    ['empty', [], []],
    ['pushes in order', [['push', 3], ['push', 1], ['push', 2]], [3, 1, 2]],
    ['drops the oldest', [['push', 1], ['push', 2], ['push', 3], ['drop', 2]], [3]],
    ['drops more than wait', [['push', 1], ['drop', 5]], []],
    ['pushes after dropping all', [['push', 1], ['drop', 1], ['push', 2]], [2]],
    ['compacts without losing order', [['push', 1], ['push', 2], ['push', 3], ['push', 4], ['push', 5], ['drop', 3], ['push', 6]], [4, 5, 6]],
  ])('%s', (_name, ops, expected) => {
    const q = new Fifo<number>();
    for (const [op, n] of ops) {
      if (op === 'push') q.push(n);
      else q.drop(n);
    }
    expect(q.length).toBe(expected.length);
    expect(q.peek(expected.length + 1)).toEqual(expected);
    expect(expected.map((_, i) => q.at(i))).toEqual(expected);
  });

  it('matches an array through a long mix of pushes, peeks and drops', () => {
    const q = new Fifo<number>();
    const model: number[] = [];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let step = 0, next = 0; step < 5_000; step++) {
      if (rand(3) > 0) {
        for (let k = rand(50); k > 0; k--) {
          q.push(next);
          model.push(next++);
        }
      } else {
        const n = rand(80);
        expect(q.peek(n)).toEqual(model.slice(0, n));
        q.drop(n);
        model.splice(0, n);
      }
      expect(q.length).toBe(model.length);
      if (model.length > 0) expect(q.at(model.length - 1)).toBe(model[model.length - 1]);
    }
  });
});
