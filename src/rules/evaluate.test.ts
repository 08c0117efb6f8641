import { describe, expect, it } from 'vitest';
import type { MeterContext, Wiring } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { AnySample } from '../domain/sample.js';
import { evaluate, planKey, RECENT_KEY, type MeterRuleState } from './evaluate.js';
import { DEFAULT_SETTINGS } from './settings.js';

const T0 = Date.UTC(2025, 0, 6, 0, 0);
const Q = 15 * 60_000;

function ctx(classes: CustomerClass[], wiring: Wiring = '3P4W', nominalVoltageV = 380, contractKva: number | null = 1000): MeterContext {
  return {
    meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring, nominalVoltageV, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: 'c1', name: 'Works', classes, address: '', phone: '', accountManager: '', contractKva, pfStandard: 0.9, lat: null, lon: null },
  };
}

/** Voltage samples every 15 min; a number is phase A (B and C normal), an array is [a, b, c]. */
function volts(values: (number | null | [number | null, number | null, number | null])[], start = T0): AnySample[] {
  return values.map((v, i) => {
    const [a, b, c] = Array.isArray(v) ? v : [v, 220, 220];
    return { kind: 'voltage', meterId: 'm1', tsMs: start + i * Q, values: { a, b, c }, multiplier: 1 };
  });
}

function loads(betaPct: (number | null)[], contractKva = 1000): AnySample[] {
  return betaPct.map((b, i) => ({
    kind: 'load', meterId: 'm1', tsMs: T0 + i * Q, values: { p: b === null ? null : (b / 100) * contractKva, q: 0, pf: 1 }, multiplier: 1,
  }));
}

function run(c: MeterContext, samples: AnySample[], state: MeterRuleState = {}) {
  return evaluate(c, samples, DEFAULT_SETTINGS, state);
}

const summary = (c: MeterContext, samples: AnySample[]) =>
  // V4 sees the same voltages; its own table is in voltage/unbalance.test.ts.
  run(c, samples).transitions.filter((t) => t.rule !== 'V4').map((t) => `${t.kind} ${t.rule}${t.phase} ${t.severity} @${(t.atTsMs - T0) / Q} from ${(t.startTsMs - T0) / Q}`);

describe('V1 over the qualified band, 3P4W 380 V (upper 234.75 V phase)', () => {
  it.each([
    ['KEY', 1, 'MINOR'],
    ['TOP100', 2, 'MINOR'],
    ['DH_KEY', 4, 'WARNING'],
    ['DH_GROWTH', 4, 'WARNING'],
    ['DEDICATED', 4, 'WARNING'],
  ] as const)('%s raises after %d points as %s', (cls, sustain, severity) => {
    const res = run(ctx([cls]), volts([220, 240, 240, 240, 240, 240]));
    const v1 = res.transitions.filter((t) => t.rule === 'V1');
    expect(v1).toHaveLength(1);
    expect(v1[0]).toMatchObject({ kind: 'raise', phase: 'A', severity, startTsMs: T0 + Q, lastTsMs: T0 + 5 * Q, atTsMs: T0 + sustain * Q });
    expect(v1[0].threshold).toBeCloseTo(234.75, 2);
    expect(v1[0].details).toMatchObject({ direction: 'over', sustainPoints: sustain });
  });

  it.each([['LV_NONRES'], ['RESIDENTIAL']] as const)('%s has no curve form: nothing', (cls) => {
    expect(run(ctx([cls]), volts([240, 240, 240, 240, 240])).transitions).toEqual([]);
  });

  it.each([
    [234.75, 0],
    [234.76, 1],
    [204.04, 0],
    [204.02, 1],
  ])('KEY at %d V: %d alarms', (v, n) => {
    expect(run(ctx(['KEY']), volts([v])).transitions.filter((t) => t.rule === 'V1')).toHaveLength(n);
  });

  it('a multi-class customer takes the most sensitive sustain', () => {
    expect(summary(ctx(['DH_KEY', 'TOP100']), volts([240, 240]))).toEqual(['raise V1A MINOR @1 from 0']);
  });
});

describe('counter: missing values, gaps, phases', () => {
  it('a null pauses the count and does not reset it (DEDICATED, 4 pt)', () => {
    expect(summary(ctx(['DEDICATED']), volts([240, 240, null, 240, 240]))).toEqual(['raise V1A WARNING @4 from 0']);
  });

  it('the peak covers the pending points before the raise', () => {
    const [t] = run(ctx(['DEDICATED']), volts([240, 250, 241, 240])).transitions;
    expect(t).toMatchObject({ kind: 'raise', peakValue: 250, value: 240 });
  });

  it('a missing phase raises nothing for that phase', () => {
    const res = run(ctx(['KEY']), volts([[240, null, 220], [240, null, 220]]));
    expect(res.transitions.map((t) => t.phase)).toEqual(['A']);
  });

  it('a gap over maxGap resets the count', () => {
    const samples = [...volts([240, 240]), ...volts([240, 240], T0 + 4 * Q)];
    expect(summary(ctx(['DEDICATED']), samples)).toEqual([]);
  });

  it('three-wire meters use Uab and Ucb against the line nominal and ignore B', () => {
    const samples = volts([[10_800, 99_999, 10_000], [10_800, 99_999, 9_200]]);
    expect(summary(ctx(['KEY'], '3P3W', 10_000), samples)).toEqual(['raise V1A MINOR @0 from 0', 'raise V1C MINOR @1 from 1']);
  });

  it('single-phase meters use phase A and the +7/-10 % band', () => {
    const samples = volts([[199, 0, 0], [197, 0, 0]]);
    expect(summary(ctx(['KEY'], '1P', 220), samples)).toEqual(['raise V1A MINOR @1 from 1']);
  });
});

describe('V2 assessment band', () => {
  it('raises V2 and V1 under 78 % of the reference', () => {
    expect(summary(ctx(['KEY']), volts([170]))).toEqual(['raise V1A MINOR @0 from 0', 'raise V2A MAJOR @0 from 0']);
  });

  it('stays quiet at 120 % exactly and raises just over (DH: 2 pt MINOR)', () => {
    const ref = 380 / Math.sqrt(3);
    const v2 = (v: number) => run(ctx(['DH_KEY']), volts([v, v])).transitions.filter((t) => t.rule === 'V2');
    expect(v2(ref * 1.2)).toEqual([]);
    expect(v2(ref * 1.2 + 0.01)).toMatchObject([{ kind: 'raise', severity: 'MINOR', peakValue: ref * 1.2 + 0.01 }]);
  });
});

describe('clearing with hysteresis (c_up 0.99, 2 points)', () => {
  it.each([
    ['recovered twice', [240, 230, 230], ['raise V1A MINOR @0 from 0', 'clear V1A MINOR @2 from 0']],
    ['inside the hysteresis zone holds', [240, 234, 234, 234], ['raise V1A MINOR @0 from 0']],
    ['a violation restarts the clear count', [240, 230, 240, 230, 230], ['raise V1A MINOR @0 from 0', 'clear V1A MINOR @4 from 0']],
    ['a null does not count toward clearing', [240, 230, null, 230], ['raise V1A MINOR @0 from 0', 'clear V1A MINOR @3 from 0']],
    ['a new occurrence is a new alarm', [240, 230, 230, 240], ['raise V1A MINOR @0 from 0', 'clear V1A MINOR @2 from 0', 'raise V1A MINOR @3 from 3']],
  ] as const)('%s', (_name, values, expected) => {
    expect(summary(ctx(['KEY']), volts([...values]))).toEqual(expected);
  });
});

describe('O1 load rate tiers', () => {
  it.each([
    ['KEY', [79.9, 79.9, 79.9, 79.9], []],
    ['KEY', [80, 80, 80, 80], ['raise O1 WARNING @3 from 0']],
    ['KEY', [85, 85, 85, 85, 105, 105, 125, 90, 90], ['raise O1 WARNING @3 from 0', 'escalate O1 MAJOR @5 from 0', 'escalate O1 CRITICAL @6 from 0', 'deescalate O1 WARNING @8 from 0']],
    ['KEY', [125, 75, 75], ['raise O1 CRITICAL @0 from 0', 'clear O1 CRITICAL @2 from 0']],
    ['KEY', [85, 85, 85, 85, 77, 77, 77], ['raise O1 WARNING @3 from 0']],
    ['KEY', [85, 85, 85, 85, 75, 75], ['raise O1 WARNING @3 from 0', 'clear O1 WARNING @5 from 0']],
    ['DEDICATED', [99, 100, 100, 100, 100], ['raise O1 MINOR @4 from 1']],
    ['DEDICATED', [121, 121], ['raise O1 MAJOR @1 from 0']],
    ['TOP100', [130, null, 130], ['raise O1 CRITICAL @0 from 0']],
  ] as const)('%s β=%j', (cls, betas, expected) => {
    expect(summary(ctx([cls]), loads([...betas]))).toEqual(expected);
  });

  it('is not evaluated without a contract capacity', () => {
    expect(summary(ctx(['KEY'], '3P4W', 380, null), loads([150, 150]))).toEqual([]);
  });

  it('tracks the peak and the tier threshold', () => {
    const [t] = run(ctx(['KEY']), loads([125, 140, 130])).transitions;
    expect(t).toMatchObject({ kind: 'raise', severity: 'CRITICAL', threshold: 120, lastTsMs: T0 + 2 * Q });
    expect(t.peakValue).toBeCloseTo(140, 6);
    expect(t.value).toBeCloseTo(130, 6);
  });
});

describe('replay safety', () => {
  it('re-evaluating the same samples with the saved state changes nothing', () => {
    const c = ctx(['KEY']);
    const samples = [...volts([240, 240, 230]), ...loads([130, 130])];
    const first = run(c, samples);
    expect(first.transitions.length).toBeGreaterThan(0);
    const again = run(c, samples, first.state);
    expect(again.transitions).toEqual([]);
    expect(again.state).toEqual(first.state);
  });

  it('gives the same state whatever the order of the samples in a batch, and after a replay of part of it', () => {
    const c = ctx(['KEY']);
    const samples = [...volts([240, 230, 240, 220]), ...loads([130, 120, 110, 100])];
    const sorted = run(c, samples).state;
    expect(run(c, [...samples].reverse()).state).toEqual(sorted);
    const firstHalf = run(c, [...samples.slice(0, 2), ...samples.slice(4, 6)]).state;
    expect(run(c, [samples[3], samples[1], samples[7], samples[2], samples[0], samples[6]], firstHalf).state).toEqual(sorted);
  });

  it('continues across batches', () => {
    const c = ctx(['DEDICATED']);
    const all = volts([240, 240, 240, 240, 230, 230]);
    const a = run(c, all.slice(0, 2));
    expect(a.transitions).toEqual([]);
    const b = run(c, all.slice(2), a.state);
    expect(b.transitions.map((t) => `${t.kind}@${(t.atTsMs - T0) / Q} from ${(t.startTsMs - T0) / Q}`)).toEqual(['raise@3 from 0', 'clear@5 from 0']);
  });

  it('ignores other meters and other kinds', () => {
    const other = volts([240]).map((s) => ({ ...s, meterId: 'm2' }));
    const current: AnySample = { kind: 'current', meterId: 'm1', tsMs: T0, values: { a: 999, b: 999, c: 999 }, multiplier: 1 };
    expect(run(ctx(['KEY']), [...other, current]).transitions).toEqual([]);
  });
});

describe('plans shared by alike meters', () => {
  const base = ctx(['KEY']);
  const withMeter = (m: Partial<MeterContext['meter']>): MeterContext => ({ ...base, meter: { ...base.meter, ...m } });
  const withCustomer = (c: Partial<MeterContext['customer']>): MeterContext => ({ ...base, customer: { ...base.customer, ...c } });

  it.each([
    ['meter id', withMeter({ id: 'm9' })],
    ['customer id', withMeter({ customerId: 'c9' })],
    ['concentrator', withMeter({ concentratorId: 'k9' })],
    ['customer record', withCustomer({ id: 'c9', name: 'Other', address: 'elsewhere', phone: '1', accountManager: 'Wang', lat: 30, lon: 120 })],
  ])('ignore the %s', (_what, other) => {
    expect(planKey(other)).toBe(planKey(base));
  });

  it.each([
    ['wiring', withMeter({ wiring: '3P3W' })],
    ['nominal voltage', withMeter({ nominalVoltageV: 10_000 })],
    ['rated current', withMeter({ ratedCurrentA: 5 })],
    ['CT ratio', withMeter({ ctRatio: 40 })],
    ['PT ratio', withMeter({ ptRatio: 100 })],
    ['values side', withMeter({ valuesSide: 'secondary' })],
    ['classes', withCustomer({ classes: ['KEY', 'TOP100'] })],
    ['contract capacity', withCustomer({ contractKva: 500 })],
    ['power factor standard', withCustomer({ pfStandard: 0.85 })],
  ])('tell apart the %s', (_what, other) => {
    expect(planKey(other)).not.toBe(planKey(base));
  });

  it('raise each meter its own alarms, against its own contract', () => {
    const a = ctx(['KEY'], '3P4W', 380, 1000);
    const b: MeterContext = { meter: { ...a.meter, id: 'm2' }, customer: { ...a.customer, id: 'c2', contractKva: 500 } };
    const c: MeterContext = { meter: { ...a.meter, id: 'm3' }, customer: { ...a.customer, id: 'c3' } };
    // 600 kW for six points: 60 % of a's and c's contract, 120 % of b's.
    const samplesOf = (meterId: string) => loads([60, 60, 60, 60, 60, 60]).map((s) => ({ ...s, meterId }));
    const raised = (m: MeterContext) => run(m, samplesOf(m.meter.id)).transitions.filter((t) => t.rule === 'O1').map((t) => `${t.meterId} ${t.kind} ${t.threshold}`);
    expect(raised(a)).toEqual([]);
    expect(raised(b)[0]).toMatch(/^m2 raise /);
    expect(raised(c)).toEqual([]);
  });
});

describe('recent curve points kept for pairing kinds across batches (17 per kind)', () => {
  const at = (i: number) => T0 + i * Q;
  const v = (i: number, a = 220): AnySample => ({ kind: 'voltage', meterId: 'm1', tsMs: at(i), values: { a, b: 220, c: 220 }, multiplier: 1 });
  const recentOf = (batches: AnySample[][]) => {
    let state: MeterRuleState = {};
    for (const b of batches) state = run(ctx(['KEY']), b, state).state;
    return state[RECENT_KEY] as { voltage: [number, { a: number }][]; current: unknown[] };
  };
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

  it.each([
    ['in order, one batch', [range(0, 5).map((i) => v(i))], range(0, 5)],
    ['in order over two batches, past 17', [range(0, 17).map((i) => v(i)), range(17, 20).map((i) => v(i))], range(3, 20)],
    ['20 in one batch', [range(0, 20).map((i) => v(i))], range(3, 20)],
    ['shuffled in one batch', [[v(3), v(0), v(2), v(1)]], range(0, 4)],
    ['a late point among kept ones', [[v(0), v(1), v(3)], [v(2)]], range(0, 4)],
    ['late points past 17 keep the newest 17', [range(2, 19).map((i) => v(i)), [v(0), v(1)]], range(2, 19)],
  ] as const)('%s', (_name, batches, expected) => {
    expect(recentOf(batches.map((b) => [...b])).voltage.map(([ts]) => (ts - T0) / Q)).toEqual(expected);
  });

  it('a resent timestamp replaces its point; a kind the batch did not bring keeps its array', () => {
    const recent = recentOf([[v(0, 221), v(1, 222)], [v(1, 250)]]);
    expect(recent.voltage.map(([ts, x]) => [(ts - T0) / Q, x.a])).toEqual([[0, 221], [1, 250]]);
    let state = run(ctx(['KEY']), [v(0)]).state;
    const before = (state[RECENT_KEY] as { current: unknown[] }).current;
    state = run(ctx(['KEY']), [v(1)], state).state;
    expect((state[RECENT_KEY] as { current: unknown[] }).current).toBe(before);
  });
});
