import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import { quietTiers, type CounterState, type CounterTier, type PointValue, type Step } from './counter.js';
import { curveTracks } from './curve-tracks.js';
import { evaluate, type MeterRuleState } from './evaluate.js';
import { restingOf, staysQuiet, wake } from './resting.js';
import { DEFAULT_SETTINGS, effectiveSettings, type RuleOverrides, type RuleSettings } from './settings.js';
import { DEFAULT_VOLTAGE_BANDS } from './voltage-band.js';
import { advanceTrack, asTrackState, checkpointOf, ownWindow, windowOf, type TrackState } from './window.js';

const band = (upper: number | null, lower: number | null): CounterTier['limit'] => ({ upper, lower, inclusive: false });
const tiers: CounterTier[] = [
  { severity: 'MINOR', sustainPoints: 2, limit: band(235, 200) },
  { severity: 'MAJOR', sustainPoints: 2, limit: band(250, null) },
];

describe('a value that keeps a counter quiet: none of the tiers\' own values violates its limit', () => {
  it.each<[string, PointValue, boolean]>([
    ['inside every limit', 220, true],
    ['over the first tier only', 240, false],
    ['under the lower limit', 190, false],
    ['missing', null, true],
    ['not a number (missing)', Number.NaN, true],
    ['per tier: both inside', [220, 240], true],
    ['per tier: the second over its own limit', [220, 251], false],
    ['per tier: the first missing, the second inside', [null, 240], true],
    ['per tier: shorter than the tiers', [220], true],
  ])('%s', (_name, value, expected) => {
    expect(staysQuiet(value, tiers)).toBe(expected);
  });
});

const quiet = (lastTsMs: number | null): CounterState => ({ lastTsMs, lastValueTsMs: lastTsMs, runStartTsMs: null, runPeakValue: null, tiers: quietTiers(2), active: null });
const counting: CounterState = { ...quiet(3), runStartTsMs: 3, runPeakValue: 240, tiers: [{ count: 1, raised: false, clearCount: 0 }, { count: 0, raised: false, clearCount: 0 }] };
const raised: CounterState = { ...counting, tiers: [{ count: 2, raised: true, clearCount: 0 }, { count: 0, raised: false, clearCount: 0 }], active: { severity: 'MINOR', tierIndex: 0, startTsMs: 2, lastTsMs: 3, value: 240, peakValue: 240, direction: 'over' } };
const withHead = (base: CounterState, ts: number[], values: PointValue[], head: CounterState, headOf = 'f'): TrackState => ({ ...ownWindow(base, ts, values), head, headAt: ts.length, headOf });

describe('when a track can rest', () => {
  it.each<[string, TrackState, ReturnType<typeof restingOf>]>([
    ['quiet checkpoint and window', withHead(quiet(1), [2, 3], [220, null], quiet(3)), { rests: 'f', after: 1, from: 2 }],
    ['nothing before the window', withHead(quiet(null), [2], [220], quiet(2)), { rests: 'f', after: null, from: 2 }],
    ['an alarm running', withHead(quiet(1), [2, 3], [240, 240], raised), undefined],
    ['a count running', withHead(quiet(2), [3], [240], counting), undefined],
    ['a violating value still in the window, counters quiet again', withHead(quiet(1), [2, 3], [240, 220], quiet(3)), undefined],
    ['an alarm in the checkpoint', withHead(raised, [4], [220], quiet(4)), undefined],
    ['a head of other tiers', withHead(quiet(1), [2], [220], quiet(2), 'g'), undefined],
    ['no head (to be replayed)', ownWindow(quiet(1), [2], [220]), undefined],
  ])('%s', (_name, state, expected) => {
    expect(restingOf(state, tiers, 'f')).toEqual(expected);
  });

  it('the checkpoint of quiet steps left implicit is the point before the window', () => {
    // Points 1 and 2 folded into the checkpoint quietly (baseAt 0 < from 2).
    const s: TrackState = { ...withHead(quiet(null), [1, 2, 3, 4], [220, 220, 220, 221], quiet(4)), from: 2 };
    expect(restingOf(s, tiers, 'f')).toEqual({ rests: 'f', after: 2, from: 3 });
  });
});

describe('waking a resting track rebuilds its state from the points it rests on', () => {
  const rest = { rests: 'f', after: 5, from: 10 };
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  it.each<[string, number[], number | null, number[]]>([
    ['a window or less: the checkpoint is where it came to rest', range(10, 3), 5, range(10, 3)],
    ['exactly a window', range(10, 16), 5, range(10, 16)],
    ['one more: the oldest is the checkpoint', range(10, 17), 10, range(11, 16)],
    ['none left', [], 5, []],
  ])('%s', (_name, ts, checkpointTs, windowTs) => {
    const s = wake(rest, ts, ts.map(() => 220), 2);
    expect(checkpointOf(s)).toEqual(quiet(checkpointTs));
    expect(windowOf(s)).toEqual({ ts: windowTs, values: windowTs.map(() => 220) });
    expect(s.head).toBeUndefined();
  });
});

describe('resting changes no transition: evaluate() against every point advanced through window.ts (generated)', () => {
  const T0 = Date.UTC(2025, 0, 6);
  const Q = 15 * 60_000;
  const ctx: MeterContext = {
    meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: 5, ctRatio: 20, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: 'c1', name: '', classes: ['DEDICATED'], address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
  };
  // V1 reads one phase's voltage: its tracks see every point of the feed, so window.ts alone is the reference.
  // From batch `switchAt` on, the customer's override narrows V1's band to 97-103 % (225 and 228 V then violate).
  const override: RuleOverrides = { V1: { band: { upperPct: 103, lowerPct: 97 } } };
  const v1Of = (o?: RuleOverrides) => curveTracks(ctx, 'V1', effectiveSettings(ctx.customer.classes, 'V1', DEFAULT_SETTINGS, o?.V1) as RuleSettings, DEFAULT_VOLTAGE_BANDS);
  const sample = (i: number, a: number): AnySample => ({ kind: 'voltage', meterId: 'm1', tsMs: T0 + i * Q, values: { a, b: 220, c: 221 }, multiplier: 1 });
  const shown = (kind: string, phase: string, atTsMs: number, severity: string) => `${kind} ${phase} ${(atTsMs - T0) / Q} ${severity}`;

  /** Both sides' alarm changes; updates left out, since evaluate() folds a batch's updates into one. */
  function feed(batches: AnySample[][], switchAt: number) {
    let state: MeterRuleState = {};
    const eager = v1Of().map(() => asTrackState(undefined, 2));
    const got: string[] = [];
    const want: string[] = [];
    for (const [b, batch] of batches.entries()) {
      const overrides = b >= switchAt ? override : undefined;
      const r = evaluate(ctx, batch, DEFAULT_SETTINGS, state, { overrides });
      state = r.state;
      got.push(...r.transitions.filter((t) => t.rule === 'V1' && t.kind !== 'update').map((t) => shown(t.kind, t.phase, t.atTsMs, t.severity)));
      const byTs = new Map(batch.map((s) => [s.tsMs, s]));
      const points = [...byTs.values()].sort((a, b) => a.tsMs - b.tsMs).map((s) => ({ tsMs: s.tsMs, voltage: s.values as { a: number; b: number; c: number } }));
      v1Of(overrides).forEach((track, k) => {
        const out = { steps: [] as Step[], tooLate: 0 };
        const headOf = overrides ? 'narrow' : 'default';
        eager[k] = advanceTrack(eager[k], { ts: points.map((p) => p.tsMs), values: points.map((p) => track.read(p)), n: points.length }, track.tiers, track.opts, headOf, out);
        want.push(...out.steps.filter((s) => s.kind !== 'update').map((s) => shown(s.kind, track.phase, s.atTsMs, s.active.severity)));
      });
    }
    return { got, want };
  }

  it('a narrower band wakes a track that rested on values it now violates: their window is replayed, as without resting', () => {
    const { got, want } = feed([Array.from({ length: 10 }, (_, i) => sample(i, 228)), Array.from({ length: 6 }, (_, i) => sample(10 + i, 220))], 1);
    // Replayed under the new band, the ten points of 228 V hold an alarm (raised before the new points: not shown),
    // which the points of 220 V clear.
    expect(want).toEqual(['clear A 11 WARNING']);
    expect(got).toEqual(want);
  });

  it('in order, late, replayed and corrected points, missing values, and a settings change', () => {
    const level = fc.constantFrom(220, 221, 225, 228, 238, 240, 251, 190, Number.NaN);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), level, fc.integer({ min: -20, max: 2 }), fc.boolean()), { minLength: 1, maxLength: 16 }), fc.nat(20), (chunks, switchAt) => {
        const batches: AnySample[][] = [];
        let at = 0;
        for (const [n, value, shift, resend] of chunks) {
          const from = Math.max(0, at + Math.min(0, shift));
          batches.push(Array.from({ length: n }, (_, i) => sample(from + i, i % 6 === 5 ? 220 : value)));
          if (resend) batches.push([sample(from, 221)]);
          at = Math.max(at, from + n);
        }
        const { got, want } = feed(batches, switchAt);
        // Phases interleave differently (evaluate: track by track per batch, as here): compare per phase.
        for (const phase of ['A', 'B', 'C']) expect(got.filter((g) => g.split(' ')[1] === phase)).toEqual(want.filter((w) => w.split(' ')[1] === phase));
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
