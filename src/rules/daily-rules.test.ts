import { describe, expect, it } from 'vitest';
import type { MeterContext, Wiring } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { Sample } from '../domain/sample.js';
import type { DayInput } from './day-input.js';
import { evaluate } from './evaluate.js';
import type { RuleCode } from './rule-codes.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { restoreState, snapshotState } from './state-codec.js';

/** Per-class tables of the daily rules V3, O2, P1, D1, D2, Z1 through evaluate() with the default matrix. */

const DAY_MS = 86_400_000;
const Q = 15 * 60_000;
const D0 = Date.UTC(2025, 1, 3); // a Monday; the data date of day 0
const ALL: CustomerClass[] = ['KEY', 'TOP100', 'DH_KEY', 'DH_GROWTH', 'DEDICATED', 'LV_NONRES', 'RESIDENTIAL'];

function ctx(classes: CustomerClass[], wiring: Wiring = '3P4W', nominalVoltageV = 380, contractKva: number | null = 1000): MeterContext {
  return {
    meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring, nominalVoltageV, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: 'c1', name: 'Works', classes, address: '', phone: '', accountManager: '', contractKva, pfStandard: 0.9, lat: null, lon: null },
  };
}

interface DaySpec {
  /** Energy of each evaluated day (kWh); the 5 weeks before have baselineKwh a day. null: that day's closing freeze is missing. */
  energyKwh?: number | null;
  baselineKwh?: number;
  /** Register value of the freeze before day 0 (rollover rows start near full scale). */
  registerStartKwh?: number;
  /** Phase voltages of the day's 96 points: a function of the point index. */
  voltage?: (i: number) => [number | null, number | null, number | null];
  /** The day's load points [P kW, Q kvar]. */
  load?: [number | null, number | null][];
  monthToDate?: Partial<DayInput['monthToDate']>;
}

const FULL_SCALE_KWH = 999_999.99;
const reading = (tsMs: number, total: number | null): Sample<'reading'> => ({
  kind: 'reading', meterId: 'm1', tsMs, multiplier: 1, values: { total, sharp: null, peak: null, flat: null, valley: null, reverse: null },
});

/** n consecutive data dates from day 0, each with the same spec, as the engine's adapter would read them. */
function days(n: number, spec: DaySpec = {}): DayInput[] {
  const { energyKwh = 1000, baselineKwh = 1000 } = spec;
  const readings: Sample<'reading'>[] = [];
  let register = (spec.registerStartKwh ?? 500_000) - 35 * baselineKwh;
  for (let k = -35; k <= n; k++) {
    const missing = k > 0 && energyKwh === null;
    readings.push(reading(D0 + k * DAY_MS, missing ? null : register));
    register += k < 0 ? baselineKwh : (energyKwh ?? 0);
    if (register > FULL_SCALE_KWH) register -= FULL_SCALE_KWH + 0.01;
  }
  return Array.from({ length: n }, (_, k) => {
    const dayStartMs = D0 + k * DAY_MS;
    const points = Array.from({ length: 96 }, (_, i) => dayStartMs + i * Q);
    return {
      dayStartMs, dayEndMs: dayStartMs + DAY_MS,
      readings: readings.filter((r) => r.tsMs <= dayStartMs + DAY_MS),
      voltage: spec.voltage ? points.map((tsMs, i) => {
        const [a, b, c] = (spec.voltage as NonNullable<DaySpec['voltage']>)(i);
        return { kind: 'voltage' as const, meterId: 'm1', tsMs, multiplier: 1, values: { a, b, c } };
      }) : [],
      current: [],
      load: (spec.load ?? []).map(([p, q], i) => ({ kind: 'load' as const, meterId: 'm1', tsMs: points[i], multiplier: 1, values: { p, q, pf: null } })),
      monthToDate: { sumPkw: null, sumQkvar: null, maxPkw: null, ...spec.monthToDate },
    };
  });
}

/** The rule's transitions as 'kind SEVERITY @day', phases joined when several raise. */
function run(rule: RuleCode, c: MeterContext, input: DayInput[]): string[] {
  return evaluate(c, [], DEFAULT_SETTINGS, {}, { days: input }).transitions
    .filter((t) => t.rule === rule)
    .map((t) => `${t.kind} ${t.phase ? `${t.phase} ` : ''}${t.severity} @${(t.atTsMs - D0) / DAY_MS}`);
}

/** Phase A out of the band on `out` of the 96 points (compliance 100 − out/96 %); B and C normal. */
const outOf96 = (out: number, bad = 240, good = 220) => (i: number): [number, number, number] => [i < out ? bad : good, good, good];

describe('V3 daily voltage compliance (3P4W 380 V, phase A; compliance = 1 − out/96)', () => {
  // 1 point out of 96 = 98.96 %, 2 = 97.92 %, 4 = 95.83 %, 5 = 94.79 %, 9 = 90.63 %, 10 = 89.58 %.
  it.each([
    ['KEY', 0, []],
    ['KEY', 1, ['raise A WARNING @0']],
    ['KEY', 4, ['raise A WARNING @0']],
    ['KEY', 5, ['raise A MINOR @0']],
    ['TOP100', 1, []],
    ['TOP100', 2, ['raise A WARNING @0']],
    ['DH_KEY', 4, []],
    ['DH_KEY', 5, ['raise A WARNING @0']],
    ['DH_GROWTH', 4, []],
    ['DH_GROWTH', 5, ['raise A WARNING @0']],
    ['DEDICATED', 4, []],
    ['DEDICATED', 5, ['raise A WARNING @0']],
    ['LV_NONRES', 9, []],
    ['LV_NONRES', 10, ['raise A MINOR @0']],
    ['RESIDENTIAL', 9, []],
    ['RESIDENTIAL', 10, ['raise A MINOR @0']],
  ] as const)('%s with %d points out: %j', (cls, out, expected) => {
    expect(run('V3', ctx([cls]), days(1, { voltage: outOf96(out) }))).toEqual(expected);
  });

  // 100 points: n out = exactly (100 − n) %, each class at its own limit (under the limit is required).
  it.each([
    ['KEY', 1, []],
    ['TOP100', 2, []],
    ['DH_KEY', 5, []],
    ['DH_GROWTH', 5, []],
    ['DEDICATED', 5, []],
    ['LV_NONRES', 10, []],
    ['RESIDENTIAL', 10, []],
  ] as const)('%s with %d of 100 points out (exactly at its limit): %j', (cls, out, expected) => {
    const input = days(1);
    input[0].voltage = Array.from({ length: 100 }, (_, i) => ({
      kind: 'voltage' as const, meterId: 'm1', tsMs: D0 + i * 60_000, multiplier: 1, values: { a: i < out ? 240 : 220, b: 220, c: 220 },
    }));
    expect(run('V3', ctx([cls]), input)).toEqual(expected);
  });

  it.each(ALL)('%s: a day without voltage, or only missing values, raises nothing', (cls) => {
    expect(run('V3', ctx([cls]), days(1))).toEqual([]);
    expect(run('V3', ctx([cls]), days(1, { voltage: () => [null, null, null] }))).toEqual([]);
  });

  it.each([
    ['DEDICATED', 5, ['raise A WARNING @0']],
    ['RESIDENTIAL', 10, ['raise A MINOR @0']],
  ] as const)('%s three-wire (Uab, Ucb against 380 V): B is ignored, %d points of Uab out raise', (cls, out, expected) => {
    const input = days(1, { voltage: (i) => [i < out ? 420 : 380, 0, 380] });
    expect(run('V3', ctx([cls], '3P3W'), input)).toEqual(expected);
  });

  it.each([
    [['DH_KEY', 'TOP100'], 2, ['raise A WARNING @0']],
    [['RESIDENTIAL', 'DEDICATED'], 5, ['raise A WARNING @0']],
    [['KEY', 'LV_NONRES'], 5, ['raise A MINOR @0']],
  ] as const)('multi-class %j with %d points out: the most sensitive class wins', (classes, out, expected) => {
    expect(run('V3', ctx([...classes]), days(1, { voltage: outOf96(out) }))).toEqual(expected);
  });
});

describe('O2 month-to-date demand over contract (1000 kW)', () => {
  it.each([
    ['KEY', 1000, []],
    ['KEY', 1001, ['raise WARNING @0']],
    ['KEY', 1051, ['raise MAJOR @0']],
    ['TOP100', 1000, []],
    ['TOP100', 1050, ['raise WARNING @0']],
    ['TOP100', 1051, ['raise MAJOR @0']],
    ['DH_KEY', 1050, []],
    ['DH_KEY', 1051, ['raise MINOR @0']],
    ['DH_GROWTH', 1051, ['raise MINOR @0']],
    ['DEDICATED', 1050, []],
    ['DEDICATED', 1051, ['raise MINOR @0']],
    ['LV_NONRES', 2000, []],
    ['RESIDENTIAL', 2000, []],
  ] as const)('%s with a month maximum of %d kW: %j', (cls, maxPkw, expected) => {
    expect(run('O2', ctx([cls]), days(1, { monthToDate: { maxPkw } }))).toEqual(expected);
  });

  it.each(ALL)('%s: no month maximum or no contract raises nothing', (cls) => {
    expect(run('O2', ctx([cls]), days(1))).toEqual([]);
    expect(run('O2', ctx([cls], '3P4W', 380, null), days(1, { monthToDate: { maxPkw: 5000 } }))).toEqual([]);
  });

  it('a reverse (negative) maximum counts by its size', () => {
    expect(run('O2', ctx(['KEY']), days(1, { monthToDate: { maxPkw: -1100 } }))).toEqual(['raise MAJOR @0']);
  });

  it('multi-class DEDICATED + TOP100: the TOP100 100 % warning applies', () => {
    expect(run('O2', ctx(['DEDICATED', 'TOP100']), days(1, { monthToDate: { maxPkw: 1020 } }))).toEqual(['raise WARNING @0']);
  });
});

/** Q for P = 100 kW at power factor pf. */
const qFor = (pf: number) => 100 * Math.sqrt(1 / (pf * pf) - 1);

describe('P1 power factor against the standard 0.90', () => {
  // Daily PF from the day's load points; month-to-date PF from the month sums.
  it.each([
    ['KEY', 0.85, 0.9, []],
    ['KEY', 0.84, 0.9, ['raise WARNING @0']],
    ['KEY', 0.95, 0.89, ['raise MINOR @0']],
    ['TOP100', 0.85, 0.9, []],
    ['TOP100', 0.84, 0.95, ['raise WARNING @0']],
    ['TOP100', 0.84, 0.89, ['raise MINOR @0']],
    ['DH_KEY', 0.5, 0.9, []],
    ['DH_KEY', 0.95, 0.89, ['raise WARNING @0']],
    ['DH_GROWTH', 0.95, 0.89, ['raise WARNING @0']],
    ['DEDICATED', 0.95, 0.9, []],
    ['DEDICATED', 0.95, 0.89, ['raise WARNING @0']],
    ['LV_NONRES', 0.5, 0.5, []],
    ['RESIDENTIAL', 0.5, 0.5, []],
  ] as const)('%s with daily PF %d and month-to-date PF %d: %j', (cls, dailyPf, mtdPf, expected) => {
    const input = days(1, { load: Array.from({ length: 96 }, () => [100, qFor(dailyPf)]), monthToDate: { sumPkw: 1000, sumQkvar: 10 * qFor(mtdPf) } });
    expect(run('P1', ctx([cls]), input)).toEqual(expected);
  });

  it.each(ALL)('%s: no load and no month sums raise nothing', (cls) => {
    expect(run('P1', ctx([cls]), days(1))).toEqual([]);
    expect(run('P1', ctx([cls]), days(1, { load: [[null, null], [null, 20]], monthToDate: { sumPkw: null, sumQkvar: 5 } }))).toEqual([]);
  });

  it('multi-class DEDICATED + KEY: the daily tier of KEY applies', () => {
    const input = days(1, { load: Array.from({ length: 96 }, () => [100, qFor(0.8)]), monthToDate: { sumPkw: 1000, sumQkvar: 10 * qFor(0.95) } });
    expect(run('P1', ctx(['DEDICATED', 'KEY']), input)).toEqual(['raise WARNING @0']);
  });
});

describe('D1 drop and D2 surge against the same-weekday baseline (1000 kWh)', () => {
  it.each([
    ['KEY', 500, []],
    ['KEY', 499, ['raise MINOR @0']],
    ['TOP100', 499, ['raise MINOR @0']],
    ['DH_KEY', 500, []],
    ['DH_KEY', 499, ['raise MINOR @0']],
    ['DH_GROWTH', 499, ['raise MINOR @0']],
    ['DEDICATED', 300, []],
    ['DEDICATED', 299, ['raise WARNING @0']],
    ['LV_NONRES', 0, []],
    ['RESIDENTIAL', 0, []],
  ] as const)('D1 %s with %d kWh: %j', (cls, energyKwh, expected) => {
    expect(run('D1', ctx([cls]), days(1, { energyKwh }))).toEqual(expected);
  });

  it.each([
    ['KEY', 1500, []],
    ['KEY', 1501, ['raise WARNING @0']],
    ['TOP100', 1501, ['raise WARNING @0']],
    ['DH_KEY', 1501, ['raise WARNING @0']],
    ['DH_GROWTH', 1500, []],
    ['DEDICATED', 2000, []],
    ['DEDICATED', 2001, ['raise WARNING @0']],
    // Low-voltage classes compare with the mean of the last 30 days (also 1000 kWh here) at 300 %.
    ['LV_NONRES', 3000, []],
    ['LV_NONRES', 3001, ['raise WARNING @0']],
    ['RESIDENTIAL', 3001, ['raise WARNING @0']],
  ] as const)('D2 %s with %d kWh: %j', (cls, energyKwh, expected) => {
    expect(run('D2', ctx([cls]), days(1, { energyKwh }))).toEqual(expected);
  });

  it.each(ALL)('%s: a missing closing freeze or no baseline raises neither', (cls) => {
    const noFreeze = days(1, { energyKwh: 0 });
    noFreeze[0].readings = noFreeze[0].readings.slice(0, -1);
    const noHistory = days(1, { energyKwh: 0 });
    noHistory[0].readings = noHistory[0].readings.slice(-8);
    for (const input of [noFreeze, noHistory]) {
      expect(run('D1', ctx([cls]), input)).toEqual([]);
      expect(run('D2', ctx([cls]), input)).toEqual([]);
    }
  });

  it.each(ALL)('%s: a register rollover during the day is ordinary consumption, not a drop or surge', (cls) => {
    const input = days(1, { energyKwh: 1000, registerStartKwh: FULL_SCALE_KWH - 400 });
    expect(input[0].readings.at(-1)?.values.total).toBeLessThan(1000);
    expect(run('D1', ctx([cls]), input)).toEqual([]);
    expect(run('D2', ctx([cls]), input)).toEqual([]);
  });

  it('multi-class DEDICATED + KEY: D1 takes the 50 % limit, D2 the 150 % limit', () => {
    expect(run('D1', ctx(['DEDICATED', 'KEY']), days(1, { energyKwh: 450 }))).toEqual(['raise MINOR @0']);
    expect(run('D2', ctx(['DEDICATED', 'KEY']), days(1, { energyKwh: 1600 }))).toEqual(['raise WARNING @0']);
  });
});

describe('Z1 zero-consumption streak (ladders in days)', () => {
  it.each([
    ['KEY', 1, ['raise MINOR @0']],
    ['KEY', 2, ['raise MINOR @0', 'escalate MAJOR @1']],
    ['TOP100', 2, ['raise MINOR @0']],
    ['TOP100', 3, ['raise MINOR @0', 'escalate MAJOR @2']],
    ['DH_KEY', 1, []],
    ['DH_KEY', 5, ['raise MINOR @1', 'escalate MAJOR @4']],
    ['DH_GROWTH', 2, ['raise MINOR @1']],
    ['DEDICATED', 2, []],
    ['DEDICATED', 7, ['raise MINOR @2', 'escalate MAJOR @6']],
    ['LV_NONRES', 6, []],
    ['LV_NONRES', 7, ['raise WARNING @6']],
    ['RESIDENTIAL', 30, ['raise WARNING @6', 'escalate MINOR @29']],
  ] as const)('%s with %d days of zero: %j', (cls, n, expected) => {
    expect(run('Z1', ctx([cls]), days(n, { energyKwh: 0 }))).toEqual(expected);
  });

  it.each(ALL)('%s: consumption, a day without its freeze, or voltage gone (an outage) is no zero-consumption day', (cls) => {
    expect(run('Z1', ctx([cls]), days(7, { energyKwh: 0.01 }))).toEqual([]);
    expect(run('Z1', ctx([cls]), days(7, { energyKwh: null }))).toEqual([]);
    expect(run('Z1', ctx([cls]), days(7, { energyKwh: 0, voltage: () => [0, 0, 0] }))).toEqual([]);
  });

  it.each([['KEY'], ['DEDICATED'], ['RESIDENTIAL']] as const)('%s: a register standing just below full scale still counts as zero', (cls) => {
    expect(run('Z1', ctx([cls]), days(1, { energyKwh: 0, registerStartKwh: FULL_SCALE_KWH }))).toEqual(cls === 'KEY' ? ['raise MINOR @0'] : []);
  });

  it('multi-class RESIDENTIAL + DH_GROWTH: the DH ladder (2 days MINOR)', () => {
    expect(run('Z1', ctx(['RESIDENTIAL', 'DH_GROWTH']), days(2, { energyKwh: 0 }))).toEqual(['raise MINOR @1']);
  });
});

describe('a batch that closes several days, with reuse (the engine)', () => {
  it('leaves the state it started from as it was, and ends where it ends without reuse', () => {
    const c = ctx(['KEY']);
    const [d0, d1, d2, d3] = days(4, { energyKwh: 0 });
    const opts = { reuse: true };
    const s0 = evaluate(c, [], DEFAULT_SETTINGS, {}, { ...opts, days: [d0] }).state;
    const s1 = evaluate(c, [], DEFAULT_SETTINGS, s0, { ...opts, days: [d1] }).state;
    const before = snapshotState(s1);
    const reused = evaluate(c, [], DEFAULT_SETTINGS, s1, { ...opts, days: [d2, d3] });
    expect(snapshotState(s1)).toBe(before);
    const plain = evaluate(c, [], DEFAULT_SETTINGS, restoreState(JSON.parse(before) as Record<string, unknown>), { days: [d2, d3] });
    expect(snapshotState(reused.state)).toBe(snapshotState(plain.state));
    expect(reused.transitions).toEqual(plain.transitions);
  });
});
