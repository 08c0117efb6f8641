import { describe, expect, it } from 'vitest';
import { collectionDayOf, cronPattern, nextCollectionRun } from './next-run.js';

describe('nextCollectionRun (Asia/Shanghai = UTC+8)', () => {
  it.each([
    ['2025-01-07T00:30:00Z', '2025-01-07T01:00:00.000Z', '2025-01-06'], // 08:30 local: the 09:00 cut-off
    ['2025-01-07T01:00:00Z', '2025-01-07T02:00:00.000Z', '2025-01-06'], // at 09:00 exactly: the 10:00 re-run
    ['2025-01-07T03:59:59Z', '2025-01-07T04:00:00.000Z', '2025-01-06'], // 11:59:59: the last re-run at 12:00
    ['2025-01-07T04:00:00Z', '2025-01-08T01:00:00.000Z', '2025-01-07'], // 12:00: tomorrow's cut-off
    ['2025-01-06T16:00:00Z', '2025-01-07T01:00:00.000Z', '2025-01-06'], // local midnight
    ['2024-12-31T20:00:00Z', '2025-01-01T01:00:00.000Z', '2024-12-31'], // across the year
  ])('after %s: %s for %s', (now, at, day) => {
    const next = nextCollectionRun(Date.parse(now), 'Asia/Shanghai');
    expect([new Date(next.atMs).toISOString(), next.day]).toEqual([at, day]);
    expect(collectionDayOf(next.atMs, 'Asia/Shanghai')).toBe(day);
  });

  it('follows summer time in zones that have it', () => {
    // Europe/Berlin, 2025-03-30: +01:00 until 02:00, then +02:00; the cut-off is 09:00 local = 07:00Z.
    expect(new Date(nextCollectionRun(Date.parse('2025-03-30T05:00:00Z'), 'Europe/Berlin').atMs).toISOString()).toBe('2025-03-30T07:00:00.000Z');
  });

  it('writes the same hours as a cron pattern', () => {
    expect(cronPattern({ cutOffHour: 9, lastRerunHour: 12 })).toBe('0 9-12 * * *');
  });
});
