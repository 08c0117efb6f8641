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

export interface TrackState {
  base: CounterState;
  window: WindowPoint[];
  head?: CounterState;
  /** Fingerprint of the tiers and options head was computed with. */
  headOf?: string;
}

/** States written before windows existed are plain counters: they become the checkpoint. */
export function asTrackState(stored: unknown, tierCount: number): TrackState {
  const s = stored as Partial<TrackState> & Partial<CounterState> | undefined;
  if (!s) return { base: initialCounterState(tierCount), window: [] };
  if (s.base && Array.isArray(s.window)) return s as TrackState;
  return { base: s as CounterState, window: [] };
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
  let last = prev.window.length > 0 ? prev.window[prev.window.length - 1][0] : (prev.base.lastTsMs ?? Number.NEGATIVE_INFINITY);
  for (const [ts] of points) {
    if (!(ts > last)) return false;
    last = ts;
  }
  return true;
}

function foldOverflow(base: CounterState, window: WindowPoint[], defs: readonly CounterTier[], opts: CounterOptions): CounterState {
  let folded = base;
  const over = window.length - WINDOW_POINTS;
  for (let i = 0; i < over; i++) folded = stepCounter(folded, window[i][0], window[i][1], defs, opts).state;
  if (over > 0) window.splice(0, over);
  return folded;
}

/**
 * The window after appending in-order points, built at its final length (no copy of the whole window that is
 * then shifted), with the points that fall out folded into the checkpoint.
 */
function slide(prev: TrackState, points: readonly WindowPoint[], defs: readonly CounterTier[], opts: CounterOptions): { base: CounterState; window: WindowPoint[] } {
  const old = prev.window;
  const over = Math.max(0, old.length + points.length - WINDOW_POINTS);
  let base = prev.base;
  for (let i = 0; i < over; i++) {
    const [ts, v] = i < old.length ? old[i] : points[i - old.length];
    base = stepCounter(base, ts, v, defs, opts).state;
  }
  const window = new Array<WindowPoint>(old.length + points.length - over);
  let n = 0;
  for (let i = over; i < old.length; i++) window[n++] = old[i];
  for (let i = Math.max(0, over - old.length); i < points.length; i++) window[n++] = points[i];
  return { base, window };
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
    const { base, window } = slide(prev, points, defs, opts);
    return { state: { base, window, head: counter, headOf }, steps, tooLate: 0 };
  }

  const checkpoint = prev.base.lastTsMs ?? Number.NEGATIVE_INFINITY;
  const fresh = points.filter(([ts]) => ts > checkpoint);
  const byTs = new Map<number, PointValue>(prev.window);
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
  const base = foldOverflow(prev.base, window, defs, opts);
  return { state: { base, window, head: counter, headOf }, steps, tooLate };
}
