import { quietTiers, tierIsQuiet, valid, violates, type CounterState, type CounterTier, type PointValue } from './counter.js';
import { ownWindow, WINDOW_POINTS, type TrackState } from './window.js';

/**
 * A track at rest: no alarm, no count running, and every point of its window a step that only moved the
 * counter's timestamps. Such a state says nothing the meter's recent points (recent-points.ts) do not: its window
 * is those points read by the track, and its counters are quiet. So it is kept as this marker, not as a window of
 * its own. A meter step then costs what it must (each track's value read and compared with its limits) and writes
 * nothing per resting track, where advancing ~20 windows a step was nearly all of the rule core's time and of its
 * heap. A value that violates, a point that is not after the track's newest, or changed tiers wake the track: its
 * state is rebuilt from the recent points (wake) and advanced as any other (window.ts); it rests again once its
 * window is quiet again (restingOf).
 */
export interface RestingTrack {
  /** Fingerprint of the tiers and options it rests under: under others its window is replayed (window.ts). */
  rests: string;
  /** The checkpoint's last timestamp when it came to rest (null: nothing before its window). */
  after: number | null;
  /** Its oldest point then: it rests on the recent points from this timestamp on. */
  from: number;
}

export function isResting(value: unknown): value is RestingTrack {
  return typeof value === 'object' && value !== null && 'rests' in value;
}

/** A counter stepped with this value stays quiet: no tier's own value violates its limit (missing ones pause). */
export function staysQuiet(value: PointValue, defs: readonly CounterTier[]): boolean {
  for (let i = 0; i < defs.length; i++) {
    const v = valid(Array.isArray(value) ? value[i] : (value as number | null));
    if (v !== null && violates(v, defs[i].limit) !== null) return false;
  }
  return true;
}

const countsNothing = (c: CounterState) => c.active === null && c.tiers.every(tierIsQuiet);

/** The marker of s when it can rest (see RestingTrack), else undefined. headOf: the fingerprint of defs. */
export function restingOf(s: TrackState, defs: readonly CounterTier[], headOf: string): RestingTrack | undefined {
  // Most tracks that do not rest have an alarm or a count running: told from the head alone.
  if (!s.head || s.headOf !== headOf || !countsNothing(s.head) || !countsNothing(s.base) || s.to === s.from) return undefined;
  for (let i = s.from; i < s.to; i++) if (!staysQuiet(s.values[i], defs)) return undefined;
  // Points between baseAt and from stepped base quietly: the checkpoint's last timestamp is the newest of them.
  const after = s.baseAt < s.from ? s.ts[s.from - 1] : s.base.lastTsMs;
  return { rests: headOf, after, from: s.ts[s.from] };
}

/**
 * The state of a resting track, rebuilt from the points it rests on (the recent points from `from` on, read by
 * the track, oldest first). When they hold more than a window, the one before the window is the checkpoint's.
 * No head: advancing it replays the window.
 */
export function wake(rest: RestingTrack, ts: readonly number[], values: readonly PointValue[], tierCount: number): TrackState {
  const start = Math.max(0, ts.length - WINDOW_POINTS);
  const lastTsMs = start > 0 ? ts[start - 1] : rest.after;
  const checkpoint: CounterState = { lastTsMs, lastValueTsMs: lastTsMs, runStartTsMs: null, runPeakValue: null, tiers: quietTiers(tierCount), active: null };
  return ownWindow(checkpoint, ts.slice(start), values.slice(start));
}
