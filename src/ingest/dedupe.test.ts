import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { lastWins } from './dedupe.js';

const load = (meterId: string, tsMs: number, p: number): AnySample => ({ kind: 'load', meterId, tsMs, multiplier: 1, values: { p, q: null, pf: null } });

describe('lastWins', () => {
  it('keeps one sample per key, the last received, and counts what it superseded', () => {
    const { unique, superseded } = lastWins([load('A', 1, 1), load('B', 1, 1), load('A', 1, 1), load('A', 1, 5), load('A', 2, 1)]);
    expect(unique).toEqual([load('A', 1, 5), load('B', 1, 1), load('A', 2, 1)]);
    expect(superseded).toEqual({ identical: 1, differing: 1 });
  });

  it('tells kinds apart', () => {
    const voltage: AnySample = { kind: 'voltage', meterId: 'A', tsMs: 1, multiplier: 1, values: { a: 1, b: null, c: null } };
    expect(lastWins([load('A', 1, 1), voltage]).unique).toHaveLength(2);
  });
});
