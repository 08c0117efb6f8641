import { describe, expect, it } from 'vitest';
import { constantLine, mergeSample, rangeWindow, startOfDayMs, toAligned, zoneOffsetMs } from './series.js';

const SH = 'Asia/Shanghai';
const iso = (s: string) => Date.parse(s);

describe('time ranges in the utility zone', () => {
  it.each([
    ['Shanghai is UTC+8 all year (no DST)', '2026-07-01T00:00:00Z', SH, 8 * 3_600_000],
    ['UTC', '2026-07-01T00:00:00Z', 'UTC', 0],
    ['New York in summer', '2026-07-01T12:00:00Z', 'America/New_York', -4 * 3_600_000],
  ])('%s', (_name, at, zone, offset) => {
    expect(zoneOffsetMs(iso(at), zone)).toBe(offset);
  });

  it.each([
    ['local morning', '2026-11-25T02:15:00Z', '2026-11-24T16:00:00Z'],
    ['UTC evening is the next local day', '2026-11-25T17:30:00Z', '2026-11-25T16:00:00Z'],
    ['exactly local midnight', '2026-11-24T16:00:00Z', '2026-11-24T16:00:00Z'],
    ['one ms before local midnight', '2026-11-24T15:59:59.999Z', '2026-11-23T16:00:00Z'],
  ])('start of day: %s', (_name, at, start) => {
    expect(startOfDayMs(iso(at), SH)).toBe(iso(start));
  });

  const now = iso('2026-11-25T02:15:00Z');
  it.each([
    ['today', iso('2026-11-24T16:00:00Z'), iso('2026-11-25T16:00:00Z')],
    ['last24h', now - 86_400_000, now],
    ['last48h', now - 2 * 86_400_000, now],
  ] as const)('%s', (range, fromMs, toMs) => {
    expect(rangeWindow(range, now, SH)).toEqual({ fromMs, toMs });
  });
});

describe('chart columns', () => {
  it('orders the asked columns and fills a missing one with null, never 0', () => {
    const res = { ts: [1, 2], values: { b: [20, null], a: [10, 11] } };
    expect(toAligned(res, ['a', 'b', 'c'])).toEqual([[1, 2], [10, 11], [20, null], [null, null]]);
  });

  const base = [[100, 200, 300], [1, 2, 3], [10, 20, 30]];
  it.each([
    ['appends a newer sample', 400, [4, 40], 0, [[100, 200, 300, 400], [1, 2, 3, 4], [10, 20, 30, 40]]],
    ['inserts a late sample in order', 250, [9, 90], 0, [[100, 200, 250, 300], [1, 2, 9, 3], [10, 20, 90, 30]]],
    ['overwrites a re-sent timestamp', 200, [7, null], 0, [[100, 200, 300], [1, 7, 3], [10, null, 30]]],
    ['drops points that left the window', 400, [4, 40], 250, [[300, 400], [3, 4], [30, 40]]],
    ['prepends an older sample still in the window', 50, [0, 0], 0, [[50, 100, 200, 300], [0, 1, 2, 3], [0, 10, 20, 30]]],
  ])('mergeSample %s', (_name, ts, ys, fromMs, expected) => {
    const before = JSON.stringify(base);
    expect(mergeSample(base, ts, ys, fromMs)).toEqual(expected);
    expect(JSON.stringify(base)).toBe(before);
  });

  it('merges into an empty chart', () => {
    expect(mergeSample([[], []], 5, [1], 0)).toEqual([[5], [1]]);
  });

  it.each([
    [2500, [2500, 2500]],
    [null, [null, null]],
  ])('contract line at %s', (value, expected) => {
    expect(constantLine([1, 2], value)).toEqual(expected);
  });
});
