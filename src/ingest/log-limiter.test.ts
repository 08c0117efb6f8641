import { describe, expect, it } from 'vitest';
import { ClientLogLimiter } from './log-limiter.js';

describe('ClientLogLimiter (one line per key per window)', () => {
  // [what happens, calls as [key, atMs], expected [log, suppressed] per call]
  it.each([
    ['first call logs', [['a', 0]], [[true, 0]]],
    ['repeats inside the window are held back and counted', [['a', 0], ['a', 10], ['a', 999]], [[true, 0], [false, 1], [false, 2]]],
    ['the first line after the window carries the count', [['a', 0], ['a', 10], ['a', 1_000]], [[true, 0], [false, 1], [true, 1]]],
    ['keys are independent', [['a', 0], ['b', 1], ['a', 2]], [[true, 0], [true, 0], [false, 1]]],
    ['the count starts again after a line', [['a', 0], ['a', 1], ['a', 1_000], ['a', 2_000]], [[true, 0], [false, 1], [true, 1], [true, 0]]],
  ] as [string, [string, number][], [boolean, number][]][])('%s', (_, calls, expected) => {
    let now = 0;
    const limiter = new ClientLogLimiter(1_000, () => now);
    const got = calls.map(([key, atMs]) => {
      now = atMs;
      const r = limiter.check(key);
      return [r.log, r.suppressed];
    });
    expect(got).toEqual(expected);
  });
});
