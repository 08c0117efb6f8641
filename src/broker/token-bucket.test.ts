import { describe, expect, it } from 'vitest';
import { KeyedBuckets, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it.each([
    // rate, burst, take times (ms), expected tryTake results
    [10, 2, [0, 0, 0], [true, true, false]],
    [10, 2, [0, 0, 100], [true, true, true]],
    [10, 2, [0, 0, 50], [true, true, false]],
    [1, 1, [0, 999, 1000], [true, false, true]],
    [1000, 1, [0, 1, 1, 2], [true, true, false, true]],
  ])('rate %i/s burst %i, takes at %j: %j', (rate, burst, times, expected) => {
    const b = new TokenBucket(rate, burst, 0);
    expect(times.map((t) => b.tryTake(t))).toEqual(expected);
  });

  it.each([
    // rate, burst, reservations at t=0, expected waits (ms)
    [10, 1, 4, [0, 100, 200, 300]],
    [1000, 2, 5, [0, 0, 1, 2, 3]],
    [3, 1, 3, [0, 334, 667]],
  ])('rate %i/s burst %i: %i reservations at once wait %j', (rate, burst, n, expected) => {
    const b = new TokenBucket(rate, burst, 0);
    expect(Array.from({ length: n }, () => b.reserve(0))).toEqual(expected);
  });

  it('pays back the credit before tokens are saved again', () => {
    const b = new TokenBucket(10, 1, 0);
    expect([b.reserve(0), b.reserve(0), b.reserve(0)]).toEqual([0, 100, 200]);
    expect(b.reserve(200)).toBe(100);
    expect(b.isFull(400)).toBe(true);
  });

  it('ignores a clock that steps back', () => {
    const b = new TokenBucket(10, 1, 1000);
    expect(b.tryTake(1000)).toBe(true);
    expect(b.tryTake(500)).toBe(false);
    expect(b.tryTake(1100)).toBe(true);
  });
});

describe('KeyedBuckets', () => {
  it('keeps one bucket per key and forgets the full ones', () => {
    const k = new KeyedBuckets(1, 1);
    expect([k.tryTake('a', 0), k.tryTake('a', 0), k.tryTake('b', 0)]).toEqual([true, false, true]);
    expect(k.size).toBe(2);
    k.prune(500);
    expect(k.size).toBe(2);
    k.prune(1000);
    expect(k.size).toBe(0);
  });
});
