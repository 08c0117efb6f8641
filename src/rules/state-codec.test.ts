import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CounterState } from './counter.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { evaluate, RECENT_KEY, type MeterRuleState } from './evaluate.js';
import { restoreState, snapshotState } from './state-codec.js';
import { ownWindow, windowOf, type TrackState } from './window.js';
import { fleetContexts, stepSamples } from '../../bench/rules-fleet.js';

const stored = (state: MeterRuleState) => restoreState(JSON.parse(snapshotState(state)) as Record<string, unknown>);
const quiet = (lastTsMs: number | null, tiers = 1): CounterState => ({
  lastTsMs, lastValueTsMs: lastTsMs, runStartTsMs: null, runPeakValue: null,
  tiers: Array.from({ length: tiers }, () => ({ count: 0, raised: false, clearCount: 0 })), active: null,
});
const running: CounterState = {
  lastTsMs: 2_000, lastValueTsMs: 2_000, runStartTsMs: 1_000, runPeakValue: 251.3,
  tiers: [{ count: 2, raised: true, clearCount: 0 }, { count: 0, raised: false, clearCount: 1 }],
  active: { severity: 'MAJOR', tierIndex: 0, startTsMs: 1_000, lastTsMs: 2_000, value: 250, peakValue: 251.3, direction: 'over' },
};

describe('rule state snapshots: stored and read back', () => {
  it.each<[string, MeterRuleState, MeterRuleState]>([
    ['head and headOf are left out', { 'V1:A': { base: quiet(1), ts: [2], values: [3], head: quiet(2), headOf: 'x' } }, { 'V1:A': ownWindow(quiet(1), [2], [3]) }],
    ['a quiet checkpoint of three tiers', { 'P1:': ownWindow(quiet(900_000, 3), [], []) }, { 'P1:': ownWindow(quiet(900_000, 3), [], []) }],
    ['the initial checkpoint (nothing seen yet)', { 'V4:': ownWindow(quiet(null), [5], [null]) }, { 'V4:': ownWindow(quiet(null), [5], [null]) }],
    ['a checkpoint with an alarm running', { 'V1:B': ownWindow(running, [3_000, 3_900], [[250, null], 249.5]) }, { 'V1:B': ownWindow(running, [3_000, 3_900], [[250, null], 249.5]) }],
    ['a checkpoint whose last sample had no value', { 'I1:': ownWindow({ ...quiet(5), lastValueTsMs: 4 }, [], []) }, { 'I1:': ownWindow({ ...quiet(5), lastValueTsMs: 4 }, [], []) }],
    ['recent points per kind', { [RECENT_KEY]: { voltage: [[1, { a: 1 }], [4, { a: 2 }]], current: [], load: [[2, { p: -3.5 }]] } }, { [RECENT_KEY]: { voltage: [[1, { a: 1 }], [4, { a: 2 }]], current: [], load: [[2, { p: -3.5 }]] } }],
    ['entries of other shapes as they are; undefined left out', { 'X:': { lastTsMs: 1, tiers: [] }, 'Y:': null, 'Z:': undefined }, { 'X:': { lastTsMs: 1, tiers: [] }, 'Y:': null }],
    ['a key that needs escaping', { 'a"b': 1 }, { 'a"b': 1 }],
    ['windows written alike (a non-finite value is written as null) restore alike', { 'V1:A': ownWindow(quiet(1), [2, 3], [220, null]), 'V2:A': ownWindow(quiet(1, 2), [2, 3], [220, NaN]) }, { 'V1:A': ownWindow(quiet(1), [2, 3], [220, null]), 'V2:A': ownWindow(quiet(1, 2), [2, 3], [220, null]) }],
    ['a resting track\'s marker as it is', { 'V1:A': { rests: '14p0vnx', after: null, from: 1_000 } }, { 'V1:A': { rests: '14p0vnx', after: null, from: 1_000 } }],
    ['an empty state', {}, {}],
  ])('%s', (_name, state, expected) => {
    expect(stored(state)).toEqual(expected);
  });

  it('writes a window seen earlier in the snapshot as a reference, and reads it back into arrays of its own', () => {
    const same = () => ownWindow(quiet(1), [2, 3], [0, 0]);
    const text = snapshotState({ 'L1:A': same(), 'L1:B': same(), 'L2:A': ownWindow(quiet(1), [2, 3], [0, 1]), 'L2:B': same() });
    expect(text.match(/"s":"L1:A"/g)).toHaveLength(2);
    const back = restoreState(JSON.parse(text) as Record<string, unknown>);
    const a = back['L1:A'] as TrackState;
    const b = back['L2:B'] as TrackState;
    expect(windowOf(b)).toEqual({ ts: [2, 3], values: [0, 0] });
    expect(b.ts).not.toBe(a.ts);
    expect(b.values).not.toBe(a.values);
  });

  it('reads a state stored as plain JSON before packing', () => {
    const plain = { 'V1:A': { base: running, window: [[3_000, 250]] }, [RECENT_KEY]: { voltage: [[3_000, { a: 250 }]] } };
    expect(restoreState(JSON.parse(JSON.stringify(plain)) as Record<string, unknown>)).toEqual(plain);
  });

  it('gives back any track state and recent points, timestamps exact', () => {
    const ts = fc.integer({ min: 0, max: 4_102_444_800_000 });
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)), { maxLength: 3 }));
    const tier = fc.record({ count: fc.nat(20), raised: fc.boolean(), clearCount: fc.nat(20) });
    const base = fc.record({
      lastTsMs: fc.option(ts), lastValueTsMs: fc.option(ts), runStartTsMs: fc.option(ts), runPeakValue: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
      tiers: fc.array(tier, { maxLength: 3 }), active: fc.constant(null),
    });
    const points = fc.array(fc.tuple(ts, value), { maxLength: 16 }).map((ps) => ps.sort((a, b) => a[0] - b[0]));
    const track = fc.record({ base, window: points }).map(({ base: b, window }) => ownWindow(b, window.map((p) => p[0]), window.map((p) => p[1])));
    const recent = fc.record({ voltage: fc.array(fc.tuple(ts, fc.record({ a: fc.double({ noNaN: true, noDefaultInfinity: true }) })), { maxLength: 16 }) });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), track, { maxKeys: 5 }), recent, (tracks, r) => {
        // The first track again under another key: stored as a reference to it.
        const first = Object.values(tracks)[0];
        const state: MeterRuleState = { ...tracks, ...(first ? { 'copy:': ownWindow(first.base, first.ts.slice(), first.values.slice()) } : {}), [RECENT_KEY]: r };
        expect(stored(state)).toEqual(JSON.parse(JSON.stringify(state)));
      }),
      { numRuns: 300 },
    );
  });

  // Most of a meter's tracks rest (resting.ts) and are written as a marker; an alarm on phase A every 7th point keeps
  // V1:A and V4 awake, with windows of their own (a window per track was ~12 KB of plain JSON).
  it('stores an evaluated 3P4W meter in under 4 KB and in less than its plain JSON, and evaluating on from it gives what the live state gives', () => {
    const ctx = [...fleetContexts(1).values()][0];
    let live: MeterRuleState = {};
    for (let step = 0; step < 24; step++) live = evaluate(ctx, stepSamples(1, step, step % 7 === 0 ? 1 : 0), DEFAULT_SETTINGS, live).state;
    const text = snapshotState(live);
    expect(text.length).toBeLessThan(4_000);
    expect(text.length).toBeLessThan(JSON.stringify(live).length);
    const next = stepSamples(1, 24, 1);
    const fromLive = evaluate(ctx, next, DEFAULT_SETTINGS, live);
    const fromStored = evaluate(ctx, next, DEFAULT_SETTINGS, restoreState(JSON.parse(text) as Record<string, unknown>));
    expect(fromStored.transitions).toEqual(fromLive.transitions);
    expect(stored(fromStored.state)).toEqual(stored(fromLive.state));
  });
});
