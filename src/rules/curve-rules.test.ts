import { describe, expect, it } from 'vitest';
import type { MeterContext, Wiring } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { AnySample, PhaseValues, Sample } from '../domain/sample.js';
import type { DayInput } from './day-input.js';
import { evaluate } from './evaluate.js';
import type { RuleCode } from './rule-codes.js';
import { DEFAULT_SETTINGS } from './settings.js';

/**
 * Per-class tables of the curve rules V4, L1–L4, I1 through evaluate() with the default matrix. Every run gives
 * the samples both as curve points and as one closed day, so curve classes count 15-min points and the
 * low-voltage classes (daily forms only) judge the day: '@k' is the point index, a daily alarm is '@0'.
 */

const T0 = Date.UTC(2025, 1, 3);
const Q = 15 * 60_000;
const DAY_MS = 86_400_000;
// 3P4W 380 V, 1000 kVA: reference 219.4 V per phase, Ib = 1519 A (0.5 % = 7.6 A, 5 % = 76 A, 10 % = 152 A).
const UN = 220;

type Triple = [number | null, number | null, number | null];

function ctx(classes: CustomerClass[], wiring: Wiring = '3P4W', nominalVoltageV = 380): MeterContext {
  return {
    meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring, nominalVoltageV, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: 'c1', name: 'Works', classes, address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
  };
}

const values = ([a, b, c]: Triple): PhaseValues => ({ a, b, c });

/** n 15-min points with these voltages and (when given) currents. */
function points(n: number, volts: Triple, amps?: Triple): AnySample[] {
  return Array.from({ length: n }, (_, i): AnySample[] => [
    { kind: 'voltage', meterId: 'm1', tsMs: T0 + i * Q, values: values(volts), multiplier: 1 },
    ...(amps ? [{ kind: 'current' as const, meterId: 'm1', tsMs: T0 + i * Q, values: values(amps), multiplier: 1 }] : []),
  ]).flat();
}

function asDay(samples: AnySample[]): DayInput {
  const voltage = samples.filter((s): s is Sample<'voltage'> => s.kind === 'voltage');
  const current = samples.filter((s): s is Sample<'current'> => s.kind === 'current');
  return {
    dayStartMs: T0, dayEndMs: T0 + DAY_MS, readings: [], voltage, current, load: [],
    monthToDate: { sumPkw: null, sumQkvar: null, maxPkw: null },
  };
}

function run(rule: RuleCode, c: MeterContext, samples: AnySample[]): string[] {
  return evaluate(c, samples, DEFAULT_SETTINGS, {}, { days: [asDay(samples)] }).transitions
    .filter((t) => t.rule === rule)
    .map((t) => `${t.kind} ${t.phase ? `${t.phase} ` : ''}${t.severity} @${(t.atTsMs - T0) / Q}`);
}

const ALL: CustomerClass[] = ['KEY', 'TOP100', 'DH_KEY', 'DH_GROWTH', 'DEDICATED', 'LV_NONRES', 'RESIDENTIAL'];

describe('V4 voltage unbalance (3P4W: Ua raised, Ub = Uc = 220 V)', () => {
  // Ua 232 V = 1.79 %, 235 V = 2.22 %, 247 V = 3.93 %, 250 V = 4.35 %.
  it.each([
    ['KEY', 232, 4, []],
    ['KEY', 235, 3, []],
    ['KEY', 235, 4, ['raise WARNING @3']],
    ['KEY', 250, 1, ['raise MINOR @0']],
    ['TOP100', 232, 4, []],
    ['TOP100', 235, 4, ['raise WARNING @3']],
    ['TOP100', 250, 1, ['raise MINOR @0']],
    ['DH_KEY', 247, 4, []],
    ['DH_KEY', 250, 3, []],
    ['DH_KEY', 250, 4, ['raise WARNING @3']],
    ['DH_GROWTH', 250, 4, ['raise WARNING @3']],
    ['DEDICATED', 247, 4, []],
    ['DEDICATED', 250, 4, ['raise WARNING @3']],
    ['LV_NONRES', 300, 96, []],
    ['RESIDENTIAL', 300, 96, []],
  ] as const)('%s with Ua %d V for %d points: %j', (cls, ua, n, expected) => {
    expect(run('V4', ctx([cls]), points(n, [ua, UN, UN]))).toEqual(expected);
  });

  it.each(ALL)('%s: a missing phase pauses the count (no value, no alarm)', (cls) => {
    expect(run('V4', ctx([cls]), points(8, [250, null, UN]))).toEqual([]);
  });

  it.each([
    ['KEY', [380, 380, 380], []],
    ['KEY', [400, 380, 360], ['raise MINOR @0']], // 6.1 %
    ['KEY', [400, null, 360], []],
  ] as const)('three-wire %s with Uab, Uca, Ucb %j: %j (Uca in channel b is needed)', (cls, v, expected) => {
    expect(run('V4', ctx([cls], '3P3W'), points(4, [...v]))).toEqual(expected);
  });

  it('multi-class DEDICATED + KEY: the 2 % tier of KEY applies', () => {
    expect(run('V4', ctx(['DEDICATED', 'KEY']), points(4, [235, UN, UN]))).toEqual(['raise WARNING @3']);
  });
});

describe('L1 voltage loss: Ua under 78 % Un (171 V) while Ia = 100 A flows', () => {
  it.each([
    ['KEY', 172, 1, []],
    ['KEY', 170, 1, ['raise A CRITICAL @0']],
    ['TOP100', 170, 4, ['raise A MAJOR @0']],
    ['TOP100', 170, 5, ['raise A MAJOR @0', 'escalate A CRITICAL @4']],
    ['DH_KEY', 170, 1, ['raise A MAJOR @0']],
    ['DH_GROWTH', 170, 1, ['raise A MAJOR @0']],
    ['DEDICATED', 170, 1, []],
    ['DEDICATED', 170, 2, ['raise A MAJOR @1']],
    ['LV_NONRES', 172, 4, []],
    ['LV_NONRES', 170, 1, ['raise A MINOR @0']],
    ['RESIDENTIAL', 170, 1, ['raise A MINOR @0']],
  ] as const)('%s with Ua %d V for %d points: %j', (cls, ua, n, expected) => {
    expect(run('L1', ctx([cls]), points(n, [ua, UN, UN], [100, 100, 100]))).toEqual(expected);
  });

  it.each(ALL)('%s: no current (missing or only voltage) is no voltage loss', (cls) => {
    expect(run('L1', ctx([cls]), points(8, [100, UN, UN], [null, 100, 100]))).toEqual([]);
    expect(run('L1', ctx([cls]), points(8, [100, UN, UN]))).toEqual([]);
  });

  it.each([['KEY'], ['RESIDENTIAL']] as const)('%s single-phase: the curve class judges phase A, the low-voltage class nothing', (cls) => {
    expect(run('L1', ctx([cls], '1P', 220), points(1, [150, null, null], [100, null, null]))).toEqual(cls === 'KEY' ? ['raise A CRITICAL @0'] : []);
  });

  it('multi-class DEDICATED + RESIDENTIAL: the curve form of DEDICATED wins', () => {
    expect(run('L1', ctx(['DEDICATED', 'RESIDENTIAL']), points(2, [150, UN, UN], [100, 100, 100]))).toEqual(['raise A MAJOR @1']);
  });
});

describe('L2 phase failure: Ua under 60 % Un with Ia under 0.5 % Ib', () => {
  it.each([
    ['KEY', 140, 0, 1, []],
    ['KEY', 100, 10, 1, []],
    ['KEY', 100, 0, 1, ['raise A CRITICAL @0']],
    ['TOP100', 100, 0, 1, ['raise A MAJOR @0']],
    ['DH_KEY', 100, 0, 1, ['raise A MAJOR @0']],
    ['DH_GROWTH', 100, 0, 1, ['raise A MAJOR @0']],
    ['DEDICATED', 100, 0, 1, []],
    ['DEDICATED', 100, 0, 2, ['raise A MAJOR @1']],
    ['LV_NONRES', 100, 0, 1, ['raise A MINOR @0']],
    ['RESIDENTIAL', 100, 0, 1, ['raise A MINOR @0']],
  ] as const)('%s with Ua %d V, Ia %d A for %d points: %j', (cls, ua, ia, n, expected) => {
    expect(run('L2', ctx([cls]), points(n, [ua, UN, UN], [ia, 100, 100]))).toEqual(expected);
  });

  it.each(ALL)('%s three-wire: channel B (no phase) never fails; Uab gone does', (cls) => {
    expect(run('L2', ctx([cls], '3P3W'), points(2, [380, 0, 380], [100, 0, 100]))).toEqual([]);
    const failed = run('L2', ctx([cls], '3P3W'), points(2, [100, 0, 380], [0, 0, 100]));
    expect(failed.map((t) => t.split(' ')[1])).toEqual(['A']);
  });
});

describe('L3 total voltage loss: every phase under 60 % Un', () => {
  it.each([
    ['KEY', [100, 100, 140], 1, []],
    ['KEY', [100, 100, 100], 1, ['raise CRITICAL @0']],
    ['TOP100', [100, 100, 100], 1, ['raise CRITICAL @0']],
    ['DH_KEY', [100, 100, 100], 1, ['raise MAJOR @0']],
    ['DH_GROWTH', [100, 100, 100], 1, ['raise MAJOR @0']],
    ['DEDICATED', [100, 100, 100], 1, []],
    ['DEDICATED', [100, 100, 100], 2, ['raise MAJOR @1']],
    // Per 台区 only for the low-voltage classes, not per meter.
    ['LV_NONRES', [0, 0, 0], 96, []],
    ['RESIDENTIAL', [0, 0, 0], 96, []],
    ['KEY', [100, null, 100], 4, []],
  ] as const)('%s with voltages %j for %d points: %j', (cls, v, n, expected) => {
    expect(run('L3', ctx([cls]), points(n, [...v], [0, 0, 0]))).toEqual(expected);
  });

  it('three-wire: Uab and Ucb gone is a total loss whatever channel B says', () => {
    expect(run('L3', ctx(['KEY'], '3P3W'), points(1, [0, 380, 0], [0, 0, 0]))).toEqual(['raise CRITICAL @0']);
  });
});

describe('L4 current loss: Ia under 0.5 % Ib with voltage present while another phase carries over 5 % Ib', () => {
  it.each([
    ['KEY', 0, 200, 3, []],
    ['KEY', 0, 200, 4, ['raise A MAJOR @3']],
    ['KEY', 0, 70, 4, []],
    ['KEY', 8, 200, 4, []],
    ['TOP100', 0, 200, 4, ['raise A MAJOR @3']],
    ['DH_KEY', 0, 200, 4, ['raise A MAJOR @3']],
    ['DH_GROWTH', 0, 200, 4, ['raise A MAJOR @3']],
    ['DEDICATED', 0, 200, 4, ['raise A MAJOR @3']],
    ['LV_NONRES', 0, 200, 1, ['raise A MINOR @0']],
    ['RESIDENTIAL', 0, 200, 1, ['raise A MINOR @0']],
  ] as const)('%s with Ia %d A and Ib = Ic = %d A for %d points: %j', (cls, ia, others, n, expected) => {
    expect(run('L4', ctx([cls]), points(n, [UN, UN, UN], [ia, others, others]))).toEqual(expected);
  });

  it.each(ALL)('%s: a missing current of another phase is no current loss', (cls) => {
    expect(run('L4', ctx([cls]), points(8, [UN, UN, UN], [0, null, 200]))).toEqual([]);
  });

  it.each(ALL)('%s three-wire: Ib (no CT) is not a lost current; Ia is', (cls) => {
    expect(run('L4', ctx([cls], '3P3W'), points(8, [380, 380, 380], [200, 0, 200]))).toEqual([]);
    expect(run('L4', ctx([cls], '3P3W'), points(8, [380, 380, 380], [0, 0, 200])).map((t) => t.split(' ')[1])).toEqual(['A']);
  });
});

describe('I1 current unbalance (Imax 500 A; light-load gate 10 % Ib = 152 A)', () => {
  // Imin 425 A = 15 %, 424 A = 15.2 %, 375 A = 25 %, 374 A = 25.2 %, 350 A = 30 %, 349 A = 30.2 %.
  it.each([
    ['KEY', 425, 4, []],
    ['KEY', 424, 3, []],
    ['KEY', 424, 4, ['raise WARNING @3']],
    ['KEY', 374, 4, ['raise MINOR @3']],
    ['KEY', 349, 4, ['raise MAJOR @3']],
    ['TOP100', 350, 4, ['raise MINOR @3']],
    ['TOP100', 349, 4, ['raise MAJOR @3']],
    ['DH_KEY', 375, 8, []],
    ['DH_KEY', 374, 7, []],
    ['DH_KEY', 374, 8, ['raise WARNING @7']],
    ['DH_GROWTH', 349, 8, ['raise MINOR @7']],
    ['DEDICATED', 350, 8, []],
    ['DEDICATED', 349, 8, ['raise MINOR @7']],
    ['LV_NONRES', 350, 96, []],
    ['LV_NONRES', 349, 96, ['raise WARNING @0']],
    ['RESIDENTIAL', 349, 96, ['raise WARNING @0']],
  ] as const)('%s with Imin %d A for %d points: %j', (cls, imin, n, expected) => {
    expect(run('I1', ctx([cls]), points(n, [UN, UN, UN], [500, 500, imin]))).toEqual(expected);
  });

  it.each(ALL)('%s under light load (Imax 150 A, Imin 0 A) raises nothing', (cls) => {
    expect(run('I1', ctx([cls]), points(96, [UN, UN, UN], [150, 150, 0]))).toEqual([]);
  });

  it.each(ALL)('%s: a missing current pauses the count (no alarm)', (cls) => {
    expect(run('I1', ctx([cls]), points(96, [UN, UN, UN], [500, null, 0]))).toEqual([]);
  });

  it.each(ALL)('%s three-wire: only Ia and Ic count (Ib = 0 is no unbalance)', (cls) => {
    expect(run('I1', ctx([cls], '3P3W'), points(96, [380, 380, 380], [500, 0, 500]))).toEqual([]);
  });

  it('multi-class DEDICATED + DH_KEY: the DH ladder (25 % WARNING after 8 points)', () => {
    expect(run('I1', ctx(['DEDICATED', 'DH_KEY']), points(8, [UN, UN, UN], [500, 500, 374]))).toEqual(['raise WARNING @7']);
  });
});
