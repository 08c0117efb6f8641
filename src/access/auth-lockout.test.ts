import { describe, expect, it } from 'vitest';
import { AuthLockout } from './auth-lockout.js';

describe('AuthLockout', () => {
  it.each([
    // failures at (ms), probe time, expected locked, with max 3 failures per 1000 ms
    [[0, 10, 20], 30, true],
    [[0, 10], 30, false],
    [[0, 10, 20], 1019, true],
    [[0, 10, 20], 1020, false],
    [[0, 10, 1000], 1001, false],
    [[0, 10, 20, 1100, 1110, 1120], 1200, true],
  ])('failures at %j, probed at %i: locked %s', (times, probe, expected) => {
    const l = new AuthLockout({ maxFailures: 3, lockoutMs: 1000 });
    for (const t of times) l.failed('10.0.0.1', t);
    expect(l.isLocked('10.0.0.1', probe)).toBe(expected);
    expect(l.isLocked('10.0.0.2', probe)).toBe(false);
  });

  it.each([
    // probe time -> ms left, after 2 failures at 0 and 10 with max 2 per 1000 ms (locked until 1010)
    [5, 0],
    [10, 1000],
    [500, 510],
    [1009, 1],
    [1010, 0],
  ])('probed at %i: locked for %i ms more', (probe, left) => {
    const l = new AuthLockout({ maxFailures: 2, lockoutMs: 1000 });
    l.failed('a', 0);
    if (probe >= 10) l.failed('a', 10);
    expect(l.lockedForMs('a', probe)).toBe(left);
  });

  it('reports the lock once, not on each further failure', () => {
    const l = new AuthLockout({ maxFailures: 2, lockoutMs: 1000 });
    expect([l.failed('a', 0), l.failed('a', 1), l.failed('a', 2)]).toEqual([false, true, false]);
  });

  it('forgets an address once its lock and window are over', () => {
    const l = new AuthLockout({ maxFailures: 1, lockoutMs: 1000 });
    l.failed('a', 0);
    l.prune(999);
    expect(l.size).toBe(1);
    l.prune(1000);
    expect(l.size).toBe(0);
  });
});
