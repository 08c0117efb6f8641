import { describe, expect, it } from 'vitest';
import { decreaseKwh, jumpPctOfContract, reverseKwh, stoppedWithLoad, tariffMismatch } from './checks.js';
import type { Reading } from './delta.js';

const r = (total: number | null, multiplier = 1, extra: Partial<Reading['values']> = {}): Reading => ({
  kind: 'reading', meterId: 'm', tsMs: 0, multiplier,
  values: { total: total === null ? null : total * multiplier, sharp: null, peak: null, flat: null, valley: null, reverse: null, ...extra },
});

describe('M1 decrease (secondary kWh) with rollover and replacement exclusions', () => {
  it.each([
    ['normal', r(100), r(110), 0],
    ['decrease', r(100), r(90), 10],
    ['rollover near 999999.99', r(999_990), r(5), 0],
    ['replacement (multiplier changed)', r(100, 20), r(5, 40), null],
    ['no predecessor', undefined, r(5), null],
    ['missing total', r(null), r(5), null],
  ] as const)('%s', (_n, prev, now, e) => {
    const v = decreaseKwh(prev, now);
    if (e === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(e, 6);
  });
});

describe('M2 day energy in % of contract × 24 h (primary)', () => {
  it.each([
    [r(0, 2000), r(12, 2000), 1000, 100],
    [r(0, 2000), r(14.4, 2000), 1000, 120],
    [r(999_999, 1), r(1, 1), 1, (2 / 24) * 100],
    [r(0), r(10), null, null],
  ] as const)('%#', (prev, now, kva, e) => {
    const v = jumpPctOfContract(prev, now, kva);
    if (e === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(e, 6);
  });
});

describe('M3 stopped while load flows', () => {
  it.each([[r(5), r(5), 10, 1], [r(5), r(5), 0, 0], [r(5), r(6), 10, 0], [r(5), r(5), null, null]] as const)('%#', (p, n, load, e) =>
    expect(stoppedWithLoad(p, n, load)).toBe(e));
});

describe('M4 tariff mismatch on the secondary scale, tol (M + 1) × 0.01', () => {
  it.each([
    [{ total: 100 * 80, sharp: 10 * 80, peak: 30 * 80, flat: 30 * 80, valley: 30 * 80 }, 80, 0, 0.05],
    [{ total: 100.05 * 80, sharp: 10 * 80, peak: 30 * 80, flat: 30 * 80, valley: 30 * 80 }, 80, 0.05, 0.05],
    [{ total: 101 * 80, sharp: 10 * 80, peak: 30 * 80, flat: 30 * 80, valley: null }, 80, 31, 0.04],
    // The total wrapped past 999999.99 to 5, the tariffs (summing to 1000005) have not.
    [{ total: 5, sharp: 80_000, peak: 400_000, flat: 220_000, valley: 300_005 }, 1, 0, 0.05],
  ] as const)('%#', (values, k, mismatch, tol) => {
    const m = tariffMismatch({ kind: 'reading', meterId: 'm', tsMs: 0, multiplier: k, values: { reverse: null, ...values } });
    expect(m?.mismatchKwh).toBeCloseTo(mismatch, 6);
    expect(m?.toleranceKwh).toBeCloseTo(tol, 9);
  });
});

describe('M5 reverse energy (secondary kWh/day)', () => {
  it.each([[0, 0.2, 0.2], [0.2, 0.2, 0], [null, 1, null]] as const)('%s → %s', (a, b, e) => {
    const v = reverseKwh(r(0, 1, { reverse: a }), r(0, 1, { reverse: b }));
    if (e === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(e, 6);
  });
});
