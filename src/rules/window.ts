import { initialCounterState, quietState, stepCounter, stepsQuietly, type CounterOptions, type CounterState, type CounterTier, type PointValue, type Step } from './counter.js';

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
 * Only tracks that count, or counted within their window, keep one: the others rest on the meter's recent points
 * (resting.ts). Before they did, a cached fleet held ~20 tracks x 16 points per meter, and every batch moves each
 * window on by a point or a few.
 * Copying each window at each step (or keeping a [ts, value] pair object per point) was most of the heap and of
 * the garbage collector's work. So a window is a view [from, to) of two parallel buffers, timestamps (unboxed
 * doubles) and values, that states share and only ever append to: a state appends in place when nothing was
 * appended after its `to`, else it copies first, so every state still reads exactly its own points (states stay
 * values). Once the folded prefix reaches WINDOW_POINTS the window moves to fresh buffers.
 *
 * Most steps are quiet (no alarm, no count, nothing violating) and only move a counter's timestamps. The checkpoint
 * and head are therefore kept as of a buffer index (`baseAt`, `headAt`) with every point after it, up to `from` or
 * `to`, known to be a quiet step: the exact counter is quietState at the last of them (checkpointOf, headOfState),
 * built only when a step is not quiet, when the buffers move, or when the state is stored.
 */
export interface TrackState {
  /** The checkpoint as of buffer index baseAt; points [baseAt, from) stepped it quietly. */
  base: CounterState;
  baseAt: number;
  /** Shared buffers; this state's window is [from, to): increasing timestamps, at most WINDOW_POINTS. */
  ts: number[];
  values: PointValue[];
  from: number;
  to: number;
  /** The counter as of buffer index headAt; points [headAt, to) stepped it quietly. */
  head?: CounterState;
  headAt: number;
  /** Fingerprint of the tiers and options head was computed with. */
  headOf?: string;
  /**
   * The object of the state this one was advanced from, when the caller lets advancing reuse it (`reuse`): this
   * state's successor is then written into it instead of a new object.
   */
  spare?: TrackState;
}

/** The counter as of buffer index `at`, after quiet steps through index upTo - 1. */
function settled(counter: CounterState, at: number, upTo: number, ts: readonly number[]): CounterState {
  return at < upTo ? quietState(counter, ts[upTo - 1]) : counter;
}

/** The counter after every point before the window. */
export function checkpointOf(s: TrackState): CounterState {
  return settled(s.base, s.baseAt, s.from, s.ts);
}

/** A window of its own, in fresh buffers (no head). */
export function ownWindow(base: CounterState, ts: number[], values: PointValue[]): TrackState {
  return { base, baseAt: 0, ts, values, from: 0, to: ts.length, head: undefined, headAt: 0, headOf: undefined, spare: undefined };
}

/**
 * The object prev's successor is written into. A cached fleet's states each live a whole pass, from one batch of
 * the meter to the next: long enough to be copied by two scavenges and promoted, then to die in the old
 * generation, ~20 per meter per pass (most of the rule threads' garbage collection). With reuse the caller
 * promises that prev's own predecessor is never read again (the engine keeps only each meter's latest committed
 * state): two objects per track then take turns for good. Claiming the spare unlinks it, so evaluating the same
 * state twice (a retry after a failed commit) never writes into the first result.
 */
function successorOf(prev: TrackState, reuse: boolean): TrackState {
  if (!reuse) return ownWindow(prev.base, prev.ts, prev.values);
  const next = prev.spare ?? ownWindow(prev.base, prev.ts, prev.values);
  prev.spare = undefined;
  next.spare = prev;
  return next;
}

function assign(
  next: TrackState, base: CounterState, baseAt: number, ts: number[], values: PointValue[], from: number, to: number, head: CounterState, headAt: number, headOf: string,
): TrackState {
  next.base = base;
  next.baseAt = baseAt;
  next.ts = ts;
  next.values = values;
  next.from = from;
  next.to = to;
  next.head = head;
  next.headAt = headAt;
  next.headOf = headOf;
  return next;
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

/**
 * New points of one track: parallel timestamps and values, the first n of them read (the caller refills the same
 * arrays for every track instead of allocating a pair per point; a fleet pass evaluates ~20 tracks per meter).
 */
export interface NewTrackPoints {
  ts: readonly number[];
  values: readonly PointValue[];
  n: number;
}

/** What advancing tracks produced besides their states, added up: the caller empties steps and zeroes tooLate. */
export interface AdvanceOutput {
  steps: Step[];
  tooLate: number;
}

/** The same point value (per-tier values compared tier by tier). */
export function sameValue(a: PointValue | undefined, b: PointValue): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Values strictly after the window's newest, in increasing order: the in-order case. */
function appendsInOrder(prev: TrackState, points: NewTrackPoints): boolean {
  let last = prev.to > prev.from ? prev.ts[prev.to - 1] : (checkpointOf(prev).lastTsMs ?? Number.NEGATIVE_INFINITY);
  for (let i = 0; i < points.n; i++) {
    if (!(points.ts[i] > last)) return false;
    last = points.ts[i];
  }
  return true;
}

/** A counter stepped through buffer indexes [at, upTo), quiet steps left implicit: the counter and its index. */
function stepThrough(
  counter: CounterState, at: number, from: number, upTo: number, ts: readonly number[], values: readonly PointValue[],
  defs: readonly CounterTier[], opts: CounterOptions, steps?: Step[],
): [CounterState, number] {
  for (let i = from; i < upTo; i++) {
    if (stepsQuietly(counter, values[i], defs)) continue;
    const r = stepCounter(settled(counter, at, i, ts), ts[i], values[i], defs, opts);
    counter = r.state;
    at = i + 1;
    if (steps && r.step) steps.push(r.step);
  }
  return [counter, at];
}

/**
 * The in-order case: the points are appended to the buffers (in place when this state owns their end), the head
 * steps through them, and the points beyond WINDOW_POINTS fold into the checkpoint.
 */
function appendInOrder(
  prev: TrackState, points: NewTrackPoints, defs: readonly CounterTier[], opts: CounterOptions, headOf: string, steps: Step[], reuse: boolean,
): TrackState {
  const owner = prev.to === prev.ts.length;
  const shift = owner ? 0 : prev.from;
  const ts = owner ? prev.ts : prev.ts.slice(prev.from, prev.to);
  const values = owner ? prev.values : prev.values.slice(prev.from, prev.to);
  // Without the buffers' prefix, counters pending on it are settled first.
  let base = owner ? prev.base : checkpointOf(prev);
  let baseAt = owner ? prev.baseAt : 0;
  let head = owner ? (prev.head as CounterState) : settled(prev.head as CounterState, prev.headAt, prev.to, prev.ts);
  let headAt = owner ? prev.headAt : ts.length;
  const start = ts.length;
  for (let i = 0; i < points.n; i++) {
    ts.push(points.ts[i]);
    values.push(points.values[i]);
  }
  [head, headAt] = stepThrough(head, headAt, start, ts.length, ts, values, defs, opts, steps);
  const from = Math.max(prev.from - shift, ts.length - WINDOW_POINTS);
  [base, baseAt] = stepThrough(base, baseAt, prev.from - shift, from, ts, values, defs, opts);
  const next = successorOf(prev, reuse);
  if (from < WINDOW_POINTS) return assign(next, base, baseAt, ts, values, from, ts.length, head, headAt, headOf);
  return assign(
    next, settled(base, baseAt, from, ts), 0, ts.slice(from), values.slice(from), 0, ts.length - from, settled(head, headAt, ts.length, ts), ts.length - from, headOf,
  );
}

/**
 * The track's next state; its steps and the count of points too late to count are added to out. points: read,
 * never kept. headOf: a fingerprint of defs and opts (the caller computes it once per track definition); an
 * unchanged state is returned as the same object, so callers can tell that nothing changed. reuse: see successorOf.
 */
export function advanceTrack(
  prev: TrackState, points: NewTrackPoints, defs: readonly CounterTier[], opts: CounterOptions, headOf: string, out: AdvanceOutput, reuse = false,
): TrackState {
  if (points.n === 0) return prev;
  if (prev.head && prev.headOf === headOf && appendsInOrder(prev, points)) return appendInOrder(prev, points, defs, opts, headOf, out.steps, reuse);

  // Late or replayed points (the rare case): merged into the window by timestamp and the window replayed.
  const checkpoint = checkpointOf(prev);
  const fresh: WindowPoint[] = [];
  for (let i = 0; i < points.n; i++) if (points.ts[i] > (checkpoint.lastTsMs ?? Number.NEGATIVE_INFINITY)) fresh.push([points.ts[i], points.values[i]]);
  const byTs = new Map<number, PointValue>();
  for (let i = prev.from; i < prev.to; i++) byTs.set(prev.ts[i], prev.values[i]);
  // A replay (same timestamp, same value) changes nothing and re-emits nothing.
  const changed = fresh.filter(([ts, v]) => !byTs.has(ts) || !sameValue(byTs.get(ts), v));
  out.tooLate += points.n - fresh.length;
  if (changed.length === 0 && prev.head && prev.headOf === headOf) return prev;
  for (const [ts, v] of changed) byTs.set(ts, v);
  const window = [...byTs.entries()].sort((a, b) => a[0] - b[0]);
  let earliestNew = Number.POSITIVE_INFINITY;
  for (const [ts] of changed) earliestNew = Math.min(earliestNew, ts);

  let counter = checkpoint;
  for (const [ts, v] of window) {
    const { state, step } = stepCounter(counter, ts, v, defs, opts);
    counter = state;
    if (step && ts >= earliestNew) out.steps.push(step);
  }
  // The window, its oldest points beyond WINDOW_POINTS folded into the checkpoint.
  const ts = window.map((p) => p[0]);
  const values = window.map((p) => p[1]);
  const from = Math.max(0, ts.length - WINDOW_POINTS);
  const [base, baseAt] = stepThrough(checkpoint, 0, 0, from, ts, values, defs, opts);
  return { base, baseAt, ts, values, from, to: ts.length, head: counter, headAt: ts.length, headOf, spare: undefined };
}
