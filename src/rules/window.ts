import { initialCounterState, stepCounter, type CounterOptions, type CounterState, type CounterTier, type PointValue, type Step } from './counter.js';

/**
 * Out-of-order data (domain.md 6.3): a (meter, rule, phase) keeps a checkpointed counter (`base`) plus the last
 * WINDOW_POINTS values after it. New values, late ones included, are merged into the window by timestamp and the
 * counter is recomputed from the checkpoint; the oldest values then fold into the checkpoint. A value at or before
 * the checkpoint (more than WINDOW_POINTS points late: 4 h of 15-min points, 16 days of daily points) is too late
 * and ignored. Steps before the earliest new value are the same as before and are not returned again; later ones
 * are, and the alarm store applies them idempotently.
 *
 * Most values arrive in order, after the whole window: `head` keeps the counter after the window's newest value,
 * so such values are stepped from it instead of replaying the window (the same result, since stepping is
 * deterministic). It holds only for the tiers and options it was computed with (`headOf`); after a settings
 * change the window is replayed as before.
 */
export const WINDOW_POINTS = 16;

export type WindowPoint = [tsMs: number, value: PointValue];

/**
 * A cached fleet holds ~20 tracks x 16 points per meter, and every batch moves each window on by a point or a few.
 * Copying each window at each step (or keeping a [ts, value] pair object per point) was most of the heap and of
 * the garbage collector's work. So a window is a view [from, to) of two parallel buffers, timestamps (unboxed
 * doubles) and values, that states share and only ever append to: a state appends in place when nothing was
 * appended after its `to`, else it copies first, so every state still reads exactly its own points (states stay
 * values). Once the folded prefix reaches WINDOW_POINTS the window moves to fresh buffers.
 */
export interface TrackState {
  /** The counter after every point before the window (the checkpoint). */
  base: CounterState;
  /** Shared buffers; this state's window is [from, to): increasing timestamps, at most WINDOW_POINTS. */
  ts: number[];
  values: PointValue[];
  from: number;
  to: number;
  head?: CounterState;
  /** Fingerprint of the tiers and options head was computed with. */
  headOf?: string;
}

/** A window of its own, in fresh buffers (no head). */
export function ownWindow(base: CounterState, ts: number[], values: PointValue[]): TrackState {
  return { base, ts, values, from: 0, to: ts.length };
}

/** This state's points. */
export function windowOf(s: TrackState): { ts: number[]; values: PointValue[] } {
  return s.from === 0 && s.to === s.ts.length ? { ts: s.ts, values: s.values } : { ts: s.ts.slice(s.from, s.to), values: s.values.slice(s.from, s.to) };
}

/**
 * States written before windows existed are plain counters: they become the checkpoint. States written before
 * the window was split into timestamps and values hold it as pairs.
 */
export function asTrackState(stored: unknown, tierCount: number): TrackState {
  const s = stored as Partial<TrackState> & Partial<CounterState> & { window?: WindowPoint[] } | undefined;
  if (!s) return ownWindow(initialCounterState(tierCount), [], []);
  if (s.base && Array.isArray(s.ts)) return s as TrackState;
  if (s.base && Array.isArray(s.window)) return ownWindow(s.base, s.window.map((p) => p[0]), s.window.map((p) => p[1]));
  return ownWindow(s as CounterState, [], []);
}

export interface Advanced {
  state: TrackState;
  steps: Step[];
  tooLate: number;
}

function sameValue(a: PointValue | undefined, b: PointValue): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Values strictly after the window's newest, in increasing order: the in-order case. */
function appendsInOrder(prev: TrackState, points: readonly WindowPoint[]): boolean {
  let last = prev.to > prev.from ? prev.ts[prev.to - 1] : (prev.base.lastTsMs ?? Number.NEGATIVE_INFINITY);
  for (const [ts] of points) {
    if (!(ts > last)) return false;
    last = ts;
  }
  return true;
}

/** The points beyond WINDOW_POINTS (the oldest) fold into the checkpoint. */
function fold(base: CounterState, ts: number[], values: PointValue[], defs: readonly CounterTier[], opts: CounterOptions, head: CounterState, headOf: string): TrackState {
  const over = Math.max(0, ts.length - WINDOW_POINTS);
  let folded = base;
  for (let i = 0; i < over; i++) folded = stepCounter(folded, ts[i], values[i], defs, opts).state;
  return { base: folded, ts, values, from: over, to: ts.length, head, headOf };
}

/** The window after appending in-order points: appended to the shared buffers, the oldest folded. */
function slide(prev: TrackState, points: readonly WindowPoint[], defs: readonly CounterTier[], opts: CounterOptions, head: CounterState, headOf: string): TrackState {
  const owner = prev.to === prev.ts.length;
  const ts = owner ? prev.ts : prev.ts.slice(prev.from, prev.to);
  const values = owner ? prev.values : prev.values.slice(prev.from, prev.to);
  let from = owner ? prev.from : 0;
  for (const [t, v] of points) {
    ts.push(t);
    values.push(v);
  }
  let base = prev.base;
  for (; ts.length - from > WINDOW_POINTS; from++) base = stepCounter(base, ts[from], values[from], defs, opts).state;
  if (from < WINDOW_POINTS) return { base, ts, values, from, to: ts.length, head, headOf };
  return { base, ts: ts.slice(from), values: values.slice(from), from: 0, to: ts.length - from, head, headOf };
}

/**
 * headOf: a fingerprint of defs and opts (the caller computes it once per track definition); an unchanged
 * state is returned as the same object, so callers can tell that nothing changed.
 */
export function advanceTrack(prev: TrackState, points: readonly WindowPoint[], defs: readonly CounterTier[], opts: CounterOptions, headOf = ''): Advanced {
  if (points.length === 0) return { state: prev, steps: [], tooLate: 0 };
  const steps: Step[] = [];
  if (prev.head && prev.headOf === headOf && appendsInOrder(prev, points)) {
    let counter = prev.head;
    for (const [ts, v] of points) {
      const { state, step } = stepCounter(counter, ts, v, defs, opts);
      counter = state;
      if (step) steps.push(step);
    }
    return { state: slide(prev, points, defs, opts, counter, headOf), steps, tooLate: 0 };
  }

  const checkpoint = prev.base.lastTsMs ?? Number.NEGATIVE_INFINITY;
  const fresh = points.filter(([ts]) => ts > checkpoint);
  const byTs = new Map<number, PointValue>();
  for (let i = prev.from; i < prev.to; i++) byTs.set(prev.ts[i], prev.values[i]);
  // A replay (same timestamp, same value) changes nothing and re-emits nothing.
  const changed = fresh.filter(([ts, v]) => !byTs.has(ts) || !sameValue(byTs.get(ts), v));
  const tooLate = points.length - fresh.length;
  if (changed.length === 0 && prev.head && prev.headOf === headOf) return { state: prev, steps, tooLate };
  for (const [ts, v] of changed) byTs.set(ts, v);
  const window = [...byTs.entries()].sort((a, b) => a[0] - b[0]);
  let earliestNew = Number.POSITIVE_INFINITY;
  for (const [ts] of changed) earliestNew = Math.min(earliestNew, ts);

  let counter = prev.base;
  for (const [ts, v] of window) {
    const { state, step } = stepCounter(counter, ts, v, defs, opts);
    counter = state;
    if (step && ts >= earliestNew) steps.push(step);
  }
  return { state: fold(prev.base, window.map((p) => p[0]), window.map((p) => p[1]), defs, opts, counter, headOf), steps, tooLate };
}
