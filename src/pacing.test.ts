import { describe, expect, it } from 'vitest';
import { WritePacing } from './pacing.js';

describe('background writes: at most every interval, and four times the last one\'s duration apart', () => {
  it.each<[string, [number, number][], number, boolean]>([
    ['nothing written yet, before the interval', [], 4_999, false],
    ['nothing written yet, at the interval', [], 5_000, true],
    ['a quick write: the interval counts from its end', [[1_000, 1_100]], 6_099, false],
    ['a quick write, the interval after its end', [[1_000, 1_100]], 6_100, true],
    ['a 2 s write: 8 s after its end', [[1_000, 3_000]], 10_999, false],
    ['a 2 s write, 8 s on', [[1_000, 3_000]], 11_000, true],
    ['a long write, then a short one: the short one counts', [[0, 3_000], [20_000, 20_500]], 25_500, true],
  ])('%s', (_name, writes, nowMs, due) => {
    const pacing = new WritePacing(5_000, 0);
    for (const [startedMs, endMs] of writes) pacing.ended(startedMs, endMs);
    expect(pacing.due(nowMs)).toBe(due);
  });
});
