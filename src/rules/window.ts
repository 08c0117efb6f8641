import { initialCounterState, stepCounter, type CounterOptions, type CounterState, type CounterTier, type PointValue, type Step } from './counter.js';

/**
 * Out-of-order data (domain.md 6.3): a (meter, rule, phase) keeps a checkpointed counter (`base`) plus the last
 * WINDOW_POINTS values after it. New values, late ones included, are merged into the window by timestamp and the
 * counter is recomputed from the checkpoint; the oldest values then fold into the checkpoint. A value at or before
 * the checkpoint (more than WINDOW_POINTS points late: 4 h of 15-min points, 16 days of daily points) is too late
 * and ignored. Steps before the earliest new value are the same as before and are not returned again; later ones
 * are, and the alarm store applies them idempotently.
 */
export const WINDOW_POINTS = 16;

export type WindowPoint = [tsMs: number, value: PointValue];

export interface TrackState {
  base: CounterState;
  window: WindowPoint[];
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
  /** The counter after the newest value (for callers that need the current alarm). */
  current: CounterState;
  tooLate: number;
}

export function advanceTrack(prev: TrackState, points: readonly WindowPoint[], defs: readonly CounterTier[], opts: CounterOptions): Advanced {
  const checkpoint = prev.base.lastTsMs ?? Number.NEGATIVE_INFINITY;
  const fresh = points.filter(([ts]) => ts > checkpoint);
  const byTs = new Map<number, PointValue>(prev.window);
  // A replay (same timestamp, same value) changes nothing and re-emits nothing.
  const changed = fresh.filter(([ts, v]) => !byTs.has(ts) || JSON.stringify(byTs.get(ts)) !== JSON.stringify(v));
  for (const [ts, v] of changed) byTs.set(ts, v);
  const window = [...byTs.entries()].sort((a, b) => a[0] - b[0]);
  const earliestNew = Math.min(...changed.map(([ts]) => ts));

  let counter = prev.base;
  const steps: Step[] = [];
  for (const [ts, v] of window) {
    const { state, step } = stepCounter(counter, ts, v, defs, opts);
    counter = state;
    if (step && ts >= earliestNew) steps.push(step);
  }
  let base = prev.base;
  while (window.length > WINDOW_POINTS) {
    const [ts, v] = window.shift() as WindowPoint;
    base = stepCounter(base, ts, v, defs, opts).state;
  }
  return { state: { base, window }, steps, current: counter, tooLate: points.length - fresh.length };
}
