import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, RECENT_KEY, type MeterRuleState } from './evaluate.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { AnySample } from '../domain/sample.js';
import type { MeterContext } from '../domain/archive.js';
import { checkpointOf, ownWindow, windowOf, type TrackState } from './window.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;
const ctx: MeterContext = {
  meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: 5, ctRatio: 20, ptRatio: 1, valuesSide: 'primary' },
  customer: { id: 'c1', name: '', classes: ['DEDICATED'], address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
};
const v = (i: number, a: number): AnySample => ({ kind: 'voltage', meterId: 'm1', tsMs: T0 + i * Q, values: { a, b: 220, c: 220 }, multiplier: 1 });
const cur = (i: number, a: number): AnySample => ({ kind: 'current', meterId: 'm1', tsMs: T0 + i * Q, values: { a, b: 50, c: 50 }, multiplier: 20 });

function feed(batches: AnySample[][]) {
  let state: MeterRuleState = {};
  const out: string[] = [];
  for (const b of batches) {
    const r = evaluate(ctx, b, DEFAULT_SETTINGS, state);
    state = r.state;
    out.push(...r.transitions.filter((t) => t.rule === 'V1' || t.rule === 'L2' || t.rule === 'L1').map((t) => `${t.kind} ${t.rule}${t.phase} from ${(t.startTsMs - T0) / Q}`));
  }
  return out;
}

describe('late and shuffled samples re-evaluate their window (DEDICATED V1: 4 points)', () => {
  it.each([
    ['in order', [[v(0, 240), v(1, 240), v(2, 240), v(3, 240)]]],
    ['shuffled in one batch', [[v(3, 240), v(1, 240), v(0, 240), v(2, 240)]]],
    ['the missing point arrives last', [[v(0, 240), v(1, 240), v(3, 240)], [v(2, 240)]]],
    ['reverse batches', [[v(3, 240)], [v(2, 240)], [v(1, 240)], [v(0, 240)]]],
  ] as const)('%s → one raise from point 0', (_n, batches) => {
    expect(feed(batches.map((b) => [...b]))).toEqual(['raise V1A from 0']);
  });

  it('a replay emits nothing', () => {
    expect(feed([[v(0, 240), v(1, 240), v(2, 240), v(3, 240)], [v(0, 240), v(1, 240), v(2, 240), v(3, 240)]])).toEqual(['raise V1A from 0']);
  });

  // 220 is quiet: the tracks that read it rest (resting.ts), and must still tell a point too late to count.
  it.each([240, 220])('a value older than the 16-point window is ignored and counted: %s', (value) => {
    const recent = Array.from({ length: 20 }, (_, i) => v(10 + i, 220));
    const r1 = evaluate(ctx, recent, DEFAULT_SETTINGS, {});
    expect(evaluate(ctx, [v(0, value)], DEFAULT_SETTINGS, r1.state).tooLate).toBeGreaterThan(0);
  });

  it('voltage and current of the same point in different batches pair up (L2, DEDICATED: 2 points)', () => {
    expect(feed([[v(0, 100), v(1, 100)], [cur(1, 0), cur(0, 0)]])).toEqual(['raise L2A from 0']);
  });
});

describe('stepping from the head gives what replaying the window gives', () => {
  /** The same batches fed twice: once as stored (head kept), once with head stripped after every batch (replayed). */
  function both(batches: AnySample[][]) {
    const strip = (s: MeterRuleState): MeterRuleState =>
      Object.fromEntries(Object.entries(s).map(([k, t]) => {
        const track = t as TrackState;
        if (!track.ts) return [k, t];
        const { ts, values } = windowOf(track);
        return [k, ownWindow(checkpointOf(track), ts.slice(), values.slice())];
      }));
    let withHead: MeterRuleState = {};
    let replayed: MeterRuleState = {};
    const a: string[] = [];
    const b: string[] = [];
    for (const batch of batches) {
      const r1 = evaluate(ctx, batch, DEFAULT_SETTINGS, withHead);
      const r2 = evaluate(ctx, batch, DEFAULT_SETTINGS, replayed);
      withHead = r1.state;
      replayed = strip(r2.state);
      a.push(...r1.transitions.map((t) => `${t.kind} ${t.rule}${t.phase} ${t.atTsMs} ${t.severity} ${t.peakValue}`));
      b.push(...r2.transitions.map((t) => `${t.kind} ${t.rule}${t.phase} ${t.atTsMs} ${t.severity} ${t.peakValue}`));
    }
    return { a, b, states: [strip(withHead), replayed] };
  }
  const wave = (from: number, n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => [v(from + i, f(i)), cur(from + i, 5)]).flat();

  it.each([
    ['in order, one point per batch, over and back', Array.from({ length: 40 }, (_, i) => wave(i, 1, () => (i % 12 < 6 ? 250 : 220)))],
    ['in order, long batches', [wave(0, 20, (i) => 230 + i), wave(20, 20, (i) => 250 - i)]],
    ['a late point among in-order ones', [wave(0, 5, () => 245), wave(6, 3, () => 245), wave(5, 1, () => 220), wave(9, 6, () => 220)]],
    ['a replay, then new points', [wave(0, 6, () => 245), wave(0, 6, () => 245), wave(6, 6, () => 221)]],
    ['long quiet runs with missing values among them', Array.from({ length: 60 }, (_, i) => wave(i, 1, () => (i % 7 === 3 ? NaN : i % 23 < 4 ? 250 : 220)))],
    ['quiet runs in batches that cross the buffer moves', [wave(0, 13, () => 220), wave(13, 21, () => 221), wave(34, 3, () => 251), wave(37, 30, () => 219)]],
  ])('%s', (_name, batches) => {
    const { a, b, states } = both(batches);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(0);
    expect(states[0]).toEqual(states[1]);
  });

  it('any in-order feed, in any batch sizes, with missing values and repeats (generated)', () => {
    const level = fc.constantFrom(219, 221, 238, 240, 251, Number.NaN);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), level, fc.boolean()), { minLength: 1, maxLength: 12 }), (chunks) => {
        const batches: AnySample[][] = [];
        let at = 0;
        for (const [n, value, repeat] of chunks) {
          batches.push(wave(at, n, (i) => (i % 3 === 2 ? 220 : value)));
          if (repeat) batches.push(wave(at, n, (i) => (i % 3 === 2 ? 220 : value)));
          at += n;
        }
        const { a, b, states } = both(batches);
        expect(a).toEqual(b);
        expect(states[0]).toEqual(states[1]);
      }),
      { seed: 20261206, numRuns: 150 },
    );
  });
});

describe('states share window buffers without seeing each other', () => {
  const track = (s: MeterRuleState) => windowOf(s['V1:A'] as TrackState);
  const over = (batch: AnySample[], state: MeterRuleState) => evaluate(ctx, batch, DEFAULT_SETTINGS, state);

  it('two evaluations from the same state each keep their own points, and the state they started from is unchanged', () => {
    // DEDICATED V1 raises after 4 points of 240: the track stays awake (resting.ts) and keeps a window of its own.
    const start = over(Array.from({ length: 20 }, (_, i) => v(i, 240)), {}).state;
    const before = track(start);
    const high = over([v(20, 250)], start).state;
    const low = over([v(20, 241)], start).state;
    expect(track(start)).toEqual(before);
    expect(track(high).values.at(-1)).toBe(250);
    expect(track(low).values.at(-1)).toBe(241);
    expect(track(low).ts).toEqual([...before.ts.slice(1), T0 + 20 * Q]);
    // Each branch's alarm goes on from its own points: its peak is its own point 20.
    const peak = (s: MeterRuleState) => over([v(21, 240)], s).transitions.find((t) => t.rule === 'V1' && t.phase === 'A')?.peakValue;
    expect(peak(high)).toBe(250);
    expect(peak(low)).toBe(241);
  });

  it('a long in-order run keeps exactly the last 16 points', () => {
    let state: MeterRuleState = {};
    for (let i = 0; i < 100; i++) state = over([v(i, 240 + (i % 3))], state).state;
    expect(track(state).ts).toEqual(Array.from({ length: 16 }, (_, i) => T0 + (84 + i) * Q));
    expect(track(state).values).toEqual(Array.from({ length: 16 }, (_, i) => 240 + ((84 + i) % 3)));
    const checkpoint = checkpointOf(state['V1:A'] as TrackState);
    expect([checkpoint.lastTsMs, checkpoint.lastValueTsMs, checkpoint.active?.startTsMs]).toEqual([T0 + 83 * Q, T0 + 83 * Q, T0]);
  });
});

describe('states written into their predecessors\' objects (reuse, the engine\'s cache)', () => {
  /** Every track's points and checkpoint, or its resting marker, as plain data, copied: what a state means, whatever objects hold it. */
  const meaning = (s: MeterRuleState) =>
    structuredClone(Object.fromEntries(Object.entries(s).filter(([k]) => k !== RECENT_KEY).map(([k, t]) => [k, (t as TrackState).ts ? [windowOf(t as TrackState), checkpointOf(t as TrackState)] : t])));
  const wave = (from: number, n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => [v(from + i, f(i)), cur(from + i, 5)]).flat();
  const describeTransitions = (r: { transitions: { kind: string; rule: string; phase: string; atTsMs: number }[] }) => r.transitions.map((t) => `${t.kind} ${t.rule}${t.phase} ${t.atTsMs}`);

  it('any feed, late points and replays included, means the same with and without reuse, and never changes the state it starts from (generated)', () => {
    const level = fc.constantFrom(219, 221, 240, 251, Number.NaN);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), level, fc.integer({ min: -6, max: 2 })), { minLength: 1, maxLength: 14 }), (chunks) => {
        let fresh: MeterRuleState = {};
        let reused: MeterRuleState = {};
        let at = 0;
        for (const [n, value, shift] of chunks) {
          const batch = wave(Math.max(0, at + Math.min(0, shift)), n, (i) => (i % 3 === 2 ? 220 : value));
          at += n;
          const before = meaning(reused);
          const a = evaluate(ctx, batch, DEFAULT_SETTINGS, fresh);
          const b = evaluate(ctx, batch, DEFAULT_SETTINGS, reused, { reuse: true });
          expect(meaning(reused)).toEqual(before);
          expect(describeTransitions(b)).toEqual(describeTransitions(a));
          expect(meaning(b.state)).toEqual(meaning(a.state));
          fresh = a.state;
          reused = b.state;
        }
      }),
      { seed: 20261207, numRuns: 150 },
    );
  });

  it('evaluations from the same state (a failed commit, then its retry) each get a state of their own', () => {
    const s0 = evaluate(ctx, wave(0, 20, () => 220), DEFAULT_SETTINGS, {}, { reuse: true }).state;
    const s1 = evaluate(ctx, wave(20, 1, () => 240), DEFAULT_SETTINGS, s0, { reuse: true }).state;
    const over = evaluate(ctx, wave(21, 3, () => 240), DEFAULT_SETTINGS, s1, { reuse: true });
    const overMeaning = meaning(over.state);
    const back = evaluate(ctx, wave(21, 3, () => 221), DEFAULT_SETTINGS, s1, { reuse: true });
    const retried = evaluate(ctx, wave(21, 3, () => 240), DEFAULT_SETTINGS, s1, { reuse: true });
    expect(meaning(over.state)).toEqual(overMeaning);
    expect(meaning(back.state)).toEqual(meaning(evaluate(ctx, wave(21, 3, () => 221), DEFAULT_SETTINGS, s1).state));
    expect(meaning(back.state)).not.toEqual(overMeaning);
    expect(meaning(retried.state)).toEqual(overMeaning);
    expect(describeTransitions(retried)).toEqual(describeTransitions(over));
    expect(describeTransitions(over).filter((t) => t.startsWith('raise V1A'))).toHaveLength(1);
  });

  it('two objects per track take turns: the third state of a track is written into the first one\'s object', () => {
    const states = [evaluate(ctx, wave(0, 4, () => 240), DEFAULT_SETTINGS, {}, { reuse: true }).state];
    // Raised at point 3 and still over: the track stays awake (a resting one has no object to take turns).
    for (let i = 4; i < 7; i++) states.push(evaluate(ctx, wave(i, 1, () => 240), DEFAULT_SETTINGS, states[states.length - 1], { reuse: true }).state);
    const track = (s: MeterRuleState) => s['V1:A'];
    expect(track(states[3])).toBe(track(states[1]));
    expect(track(states[2])).not.toBe(track(states[1]));
    expect(windowOf(track(states[3]) as TrackState).ts.at(-1)).toBe(T0 + 6 * Q);
  });
});
