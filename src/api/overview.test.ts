import { describe, expect, it } from 'vitest';
import { completedQuarters, dayCurves, localDay, QUARTER_MS } from './overview.js';

const D0 = Date.UTC(2026, 10, 24, 16); // 2026-11-25 00:00 Asia/Shanghai
const Q = QUARTER_MS;

describe('dayCurves', () => {
  it.each([
    ['no rows: 96 nulls', [], { total: [0, null], KEY: undefined }],
    ['total and class at point 0', [{ cls: '', tsMs: D0, kw: 5 }, { cls: 'KEY', tsMs: D0, kw: 3 }], { total: [0, 5], KEY: [0, 3] }],
    ['point 95 is the last', [{ cls: '', tsMs: D0 + 95 * Q, kw: 7 }], { total: [95, 7], KEY: undefined }],
    ['outside the day is dropped', [{ cls: '', tsMs: D0 + 96 * Q, kw: 7 }, { cls: '', tsMs: D0 - Q, kw: 1 }], { total: [0, null], KEY: undefined }],
    ['mid-quarter stamp lands on its quarter', [{ cls: 'KEY', tsMs: D0 + Q + 60_000, kw: 2 }], { total: [1, null], KEY: [1, 2] }],
  ])('%s', (_name, rows, want) => {
    const c = dayCurves(rows, D0, D0 + 96 * Q);
    expect(c.ts).toHaveLength(96);
    expect(c.ts[1]! - c.ts[0]!).toBe(Q);
    expect(c.total[want.total[0]!]).toBe(want.total[1]);
    if (want.KEY) expect(c.classes.KEY![want.KEY[0]!]).toBe(want.KEY[1]);
    else expect(c.classes.KEY).toBeUndefined();
  });
});

describe('completedQuarters', () => {
  it.each([
    ['before the day', D0 - 1, 0],
    ['at midnight', D0, 0],
    ['one minute into the day', D0 + 60_000, 0],
    ['right at 00:15', D0 + Q, 1],
    ['10:07', D0 + 40 * Q + 7 * 60_000, 40],
    ['after the day', D0 + 200 * Q, 96],
  ])('%s -> %i', (_name, nowMs, want) => expect(completedQuarters(D0, D0 + 96 * Q, nowMs)).toBe(want));
});

describe('localDay', () => {
  it.each([
    [D0 - 1, 'Asia/Shanghai', '2026-11-24'],
    [D0, 'Asia/Shanghai', '2026-11-25'],
    [D0, 'UTC', '2026-11-24'],
  ])('%i in %s is %s', (atMs, tz, want) => expect(localDay(atMs, tz)).toBe(want));
});
