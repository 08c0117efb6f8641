import { describe, expect, it } from 'vitest';
import { alignYesterday, distinct, withYesterday, filterAlarms, lastValue, localDay, previousDay, projectPoints, voltageBand } from './view-logic.js';

const a = (id: string, severity: string, rule: string, classes: string[], accountManager: string) =>
  ({ id, severity, rule, customer: { classes, accountManager } });
const ALARMS = [a('1', 'MAJOR', 'V1', ['KEY'], '王丽'), a('2', 'CRITICAL', 'O1', ['KEY', 'TOP100'], ''), a('3', 'MAJOR', 'V2', ['LV_NONRES'], 'Li')];

describe('filterAlarms', () => {
  it.each([
    [{}, ['1', '2', '3']],
    [{ cls: 'KEY' }, ['1', '2']],
    [{ cls: 'TOP100' }, ['2']],
    [{ severity: 'MAJOR' }, ['1', '3']],
    [{ rule: 'V2' }, ['3']],
    [{ manager: '王丽' }, ['1']],
    [{ cls: 'KEY', severity: 'MAJOR', rule: 'V1', manager: '王丽' }, ['1']],
    [{ cls: 'RESIDENTIAL' }, []],
  ])('%j -> %j', (f, ids) => expect(filterAlarms(ALARMS, f).map((x) => x.id)).toEqual(ids));

  it('passes an alarm without customer only through empty filters', () => {
    const bare = [{ id: 'x', severity: 'MINOR', rule: 'V1' }];
    expect(filterAlarms(bare, {})).toHaveLength(1);
    expect(filterAlarms(bare, { cls: 'KEY' })).toHaveLength(0);
  });
});

describe('days', () => {
  it.each([
    [Date.UTC(2026, 10, 24, 15, 59), 'Asia/Shanghai', '2026-11-24'],
    [Date.UTC(2026, 10, 24, 16, 0), 'Asia/Shanghai', '2026-11-25'],
    [Date.UTC(2026, 10, 24, 16, 0), 'UTC', '2026-11-24'],
  ])('localDay(%i, %s) = %s', (ms, tz, day) => expect(localDay(ms, tz)).toBe(day));
  it.each([['2026-11-25', '2026-11-24'], ['2026-03-01', '2026-02-28'], ['2024-03-01', '2024-02-29'], ['2026-01-01', '2025-12-31']])(
    'previousDay(%s) = %s', (day, prev) => expect(previousDay(day)).toBe(prev));
  it('distinct drops empties and sorts', () => expect(distinct(['b', '', 'a', 'b'])).toEqual(['a', 'b']));
});

describe('voltageBand', () => {
  it.each([
    ['1P', 220, 198, 235.4],
    ['3P4W', 380, 204.04, 234.75],
    ['3P3W', 10_000, 9300, 10_700],
    ['3P3W', 100, 93, 107],
    ['3P4W', 20_000, 10_738.7, 12_355.3],
  ])('%s %d V -> %d .. %d', (wiring, nominal, low, high) => {
    const band = voltageBand(wiring, nominal)!;
    expect(band.lowV).toBeCloseTo(low, 1);
    expect(band.highV).toBeCloseTo(high, 1);
  });
  it.each([['3P3W', 35_000], ['3P4W', 0], ['1P', Number.NaN]])('%s %d V has no standard band here', (w, v) => expect(voltageBand(w, v)).toBeNull());
});

describe('projectPoints', () => {
  it('keeps north up, east right, inside the padding, with one scale for both axes', () => {
    const [sw, ne, mid] = projectPoints([{ lat: 30, lon: 120 }, { lat: 32, lon: 122 }, { lat: 31, lon: 121 }], 400, 300, 20);
    expect(sw!.x).toBeLessThan(ne!.x);
    expect(sw!.y).toBeGreaterThan(ne!.y);
    for (const p of [sw!, ne!]) {
      expect(p.x).toBeGreaterThanOrEqual(20);
      expect(p.x).toBeLessThanOrEqual(380);
      expect(p.y).toBeGreaterThanOrEqual(20);
      expect(p.y).toBeLessThanOrEqual(280);
    }
    expect(mid!.x).toBeCloseTo((sw!.x + ne!.x) / 2, 0);
    expect(ne!.y - sw!.y).toBeCloseTo(-260, 5); // latitude span fills the height; longitude span is shorter (cos 31°)
  });
  it.each([[[]], [[{ lat: 31, lon: 121 }]]])('handles %j without dividing by zero', (pts) => {
    for (const p of projectPoints(pts, 400, 300, 20)) expect([p.x, p.y]).toEqual([200, 150]);
  });
});

describe('curves', () => {
  it.each([
    [[1, 2, 3], [10, null], [10, null, null]],
    [[1, 2], [10, 20, 30], [10, 20]],
  ])('alignYesterday(%j, %j) = %j', (ts, y, want) => expect(alignYesterday(ts, y)).toEqual(want));
  it.each([
    [[1, null, 3, null], { i: 2, value: 3 }],
    [[null, null], null],
    [[0], { i: 0, value: 0 }],
  ])('lastValue(%j) = %j', (c, want) => expect(lastValue(c)).toEqual(want));
});

describe('withYesterday', () => {
  it.each([
    ['same grid', [[10, 20], [1, 2]], [0, 10], [5, 6], [[10, 20], [1, 2], [5, 6]]],
    ['yesterday runs past today', [[10], [1]], [0, 10, 20], [5, 6, 7], [[10, 20, 30], [1, null, null], [5, 6, 7]]],
    ['today only', [[10, 20], [1, null]], [], [], [[10, 20], [1, null], [null, null]]],
    ['interleaved', [[10, 30], [1, 3]], [10], [9], [[10, 20, 30], [1, null, 3], [null, 9, null]]],
  ])('%s', (_n, data, yTs, yV, want) => expect(withYesterday(data as (number | null)[][], yTs as number[], yV as number[], 10)).toEqual(want));
});
