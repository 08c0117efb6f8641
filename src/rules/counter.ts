import { severityRank as rank, type Severity } from '../domain/alarm.js';

/**
 * The sustain/hysteresis counter of one (meter, rule, phase) (domain.md 2.7, 6.3), pure.
 * Each tier (create condition) has its own consecutive count; a tier is raised after sustainPoints violating
 * points and drops after clearPoints recovered points. The alarm is active while any tier is raised and
 * takes the severity of the highest raised tier.
 */

/** Violation when value > upper (≥ when inclusive) or value < lower. */
export interface Limit {
  upper: number | null;
  lower: number | null;
  inclusive: boolean;
}

export interface CounterTier {
  severity: Severity;
  sustainPoints: number;
  limit: Limit;
}

export interface CounterOptions {
  clearPoints: number;
  recovery: { up: number; down: number; deltaPct?: number };
  maxGapMs: number;
  /** How far a value is from normal: the peak is the value with the largest score. */
  peakScore: (value: number) => number;
}

export interface TierState {
  count: number;
  raised: boolean;
  clearCount: number;
}

export interface ActiveState {
  severity: Severity;
  tierIndex: number;
  startTsMs: number;
  lastTsMs: number;
  value: number;
  peakValue: number;
  direction: 'over' | 'under';
}

export interface CounterState {
  /** Last evaluated sample (also null ones): older or equal samples are replays and ignored. */
  lastTsMs: number | null;
  /** Last sample with a value, for the maxGap reset. */
  lastValueTsMs: number | null;
  /** First violating sample of the current run of violating points. */
  runStartTsMs: number | null;
  /** Peak of the current run, so an alarm raised after its sustain still reports the worst sample. */
  runPeakValue: number | null;
  tiers: TierState[];
  active: ActiveState | null;
}

export type StepKind = 'raise' | 'escalate' | 'deescalate' | 'update' | 'clear';

export interface Step {
  kind: StepKind;
  atTsMs: number;
  /** The alarm after the step; for 'clear' the alarm as it was when it cleared. */
  active: ActiveState;
}

const freshTiers = (tierCount: number): TierState[] => Array.from({ length: tierCount }, () => ({ count: 0, raised: false, clearCount: 0 }));

// Counters with no count running share one frozen tiers array per tier count, so telling a quiet counter (most of
// them, at every step) is one comparison. Reading every tier instead touched two or three more objects per track,
// scattered through a fleet's heap: the quiet check was the rule engine's costliest line, in cache misses.
const QUIET_TIERS: TierState[][] = [];

/** The shared all-quiet tiers of this many tiers (frozen: a counter that counts gets its own). */
export function quietTiers(tierCount: number): TierState[] {
  return (QUIET_TIERS[tierCount] ??= Object.freeze(freshTiers(tierCount).map((t) => Object.freeze(t))) as TierState[]);
}

export const tierIsQuiet = (t: TierState) => t.count === 0 && !t.raised && t.clearCount === 0;

export function initialCounterState(tierCount: number): CounterState {
  return { lastTsMs: null, lastValueTsMs: null, runStartTsMs: null, runPeakValue: null, tiers: quietTiers(tierCount), active: null };
}

export function violates(value: number, limit: Limit): 'over' | 'under' | null {
  if (limit.upper !== null && (limit.inclusive ? value >= limit.upper : value > limit.upper)) return 'over';
  if (limit.lower !== null && value < limit.lower) return 'under';
  return null;
}

function recovered(value: number, limit: Limit, recovery: CounterOptions['recovery']): boolean {
  const d = recovery.deltaPct;
  return (
    (limit.upper === null || value < (d === undefined ? limit.upper * recovery.up : limit.upper - d)) &&
    (limit.lower === null || value > (d === undefined ? limit.lower * recovery.down : limit.lower + d))
  );
}

/** Tier states survive a settings change only when the tier count is unchanged. */
function alignTiers(state: CounterState, tierCount: number): TierState[] {
  if (state.tiers.length === tierCount) return state.tiers.map((t) => ({ ...t }));
  const fresh = freshTiers(tierCount);
  if (state.active && tierCount > 0) fresh[Math.min(state.active.tierIndex, tierCount - 1)].raised = true;
  return fresh;
}

function nextTier(t: TierState, value: number | null, tier: CounterTier, opts: CounterOptions): TierState {
  // A tier whose own value is missing pauses (domain.md decision 5).
  if (value === null) return t;
  if (violates(value, tier.limit)) {
    const count = t.count + 1;
    return { count, raised: t.raised || count >= tier.sustainPoints, clearCount: 0 };
  }
  if (!t.raised) return { count: 0, raised: false, clearCount: 0 };
  // Between the limit and the recovery level the alarm holds and the clear count starts over.
  const clearCount = recovered(value, tier.limit, opts.recovery) ? t.clearCount + 1 : 0;
  return clearCount >= opts.clearPoints
    ? { count: 0, raised: false, clearCount: 0 }
    : { count: 0, raised: true, clearCount };
}

function highestRaised(tiers: TierState[], defs: readonly CounterTier[]): number {
  let best = -1;
  tiers.forEach((t, i) => {
    if (t.raised && (best < 0 || rank(defs[i].severity) < rank(defs[best].severity))) best = i;
  });
  return best;
}

/** A value per tier (tiers may look at different measures), or one value for all. */
export type PointValue = number | null | readonly (number | null)[];

export const valid = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

function perTier(value: PointValue, tierCount: number): (number | null)[] {
  const out = new Array<number | null>(tierCount);
  for (let i = 0; i < tierCount; i++) out[i] = valid(Array.isArray(value) ? value[i] : (value as number | null));
  return out;
}

/** No alarm and no count running: a step with no violating value only moves the timestamps. */
function isQuiet(prev: CounterState, defs: readonly CounterTier[]): boolean {
  if (prev.active !== null) return false;
  // Tiers not shared are those of a counter that counted, or of a state built elsewhere (tests, older snapshots).
  return prev.tiers === QUIET_TIERS[defs.length] || (prev.tiers.length === defs.length && prev.tiers.every(tierIsQuiet));
}

/** No tier's own value: the step only moves lastTsMs (no array per step for rules that read nothing most days). */
function allMissing(value: PointValue, tierCount: number): boolean {
  if (!Array.isArray(value)) return valid(value as number | null) === null;
  for (let i = 0; i < tierCount; i++) if (valid(value[i]) !== null) return false;
  return true;
}

/** prev after quiet steps up to tsMs: only the timestamps move. */
export const quietState = (prev: CounterState, tsMs: number): CounterState => ({
  lastTsMs: tsMs, lastValueTsMs: tsMs, runStartTsMs: null, runPeakValue: null, tiers: prev.tiers, active: null,
});

/**
 * True when stepping prev in order with this value only moves its timestamps (quietState): no alarm, no count
 * running, a value present and none violating. window.ts takes such steps without building a state each.
 */
export function stepsQuietly(prev: CounterState, value: PointValue, defs: readonly CounterTier[]): boolean {
  if (!isQuiet(prev, defs)) return false;
  if (!Array.isArray(value)) {
    const v = valid(value as number | null);
    if (v === null) return false;
    for (const d of defs) if (violates(v, d.limit) !== null) return false;
    return true;
  }
  let valued = false;
  for (let i = 0; i < defs.length; i++) {
    const v = valid(value[i]);
    if (v === null) continue;
    if (violates(v, defs[i].limit) !== null) return false;
    valued = true;
  }
  return valued;
}

/** One sample; value null = missing, which pauses every count (domain.md decision 5). */
export function stepCounter(
  prev: CounterState,
  tsMs: number,
  value: PointValue,
  defs: readonly CounterTier[],
  opts: CounterOptions,
): { state: CounterState; step?: Step } {
  if (prev.lastTsMs !== null && tsMs <= prev.lastTsMs) return { state: prev };
  // Most samples, checked without building a value per tier.
  if (stepsQuietly(prev, value, defs)) return { state: quietState(prev, tsMs) };
  if (allMissing(value, defs.length)) {
    const { lastValueTsMs, runStartTsMs, runPeakValue, tiers, active } = prev;
    return { state: { lastTsMs: tsMs, lastValueTsMs, runStartTsMs, runPeakValue, tiers, active } };
  }
  const values = perTier(value, defs.length);

  const gapReset = prev.lastValueTsMs !== null && tsMs - prev.lastValueTsMs > opts.maxGapMs;
  const before = alignTiers(prev, defs.length).map((t) => (gapReset ? { ...t, count: 0, clearCount: 0 } : t));
  const stepped = before.map((t, i) => nextTier(t, values[i], defs[i], opts));
  const tiers = stepped.every(tierIsQuiet) ? quietTiers(defs.length) : stepped;
  const hit = defs.findIndex((d, i) => values[i] !== null && violates(values[i] as number, d.limit) !== null);
  const direction = hit < 0 ? null : violates(values[hit] as number, defs[hit].limit);
  const top = highestRaised(tiers, defs);
  // The value reported is the one of the tier that decides the severity (else the first violating or present one).
  const shownAt = top >= 0 && values[top] !== null ? top : hit >= 0 ? hit : values.findIndex((v) => v !== null);
  const value0 = values[shownAt] as number;
  const runStartTsMs = direction ? ((gapReset ? null : prev.runStartTsMs) ?? tsMs) : null;
  const prevPeak = gapReset ? null : (prev.runPeakValue ?? null);
  const runPeakValue = !direction ? null : prevPeak !== null && opts.peakScore(prevPeak) >= opts.peakScore(value0) ? prevPeak : value0;
  const state: CounterState = {
    lastTsMs: tsMs, lastValueTsMs: tsMs, runStartTsMs, runPeakValue, tiers, active: prev.active,
  };

  const was = prev.active;
  if (top < 0) {
    state.active = null;
    return was ? { state, step: { kind: 'clear', atTsMs: tsMs, active: was } } : { state };
  }
  const severity = defs[top].severity;
  if (!was) {
    const active: ActiveState = {
      severity, tierIndex: top, startTsMs: runStartTsMs ?? tsMs, lastTsMs: tsMs, value: value0, peakValue: runPeakValue ?? value0,
      direction: direction ?? 'over',
    };
    state.active = active;
    return { state, step: { kind: 'raise', atTsMs: tsMs, active } };
  }
  const peakValue = direction && opts.peakScore(value0) > opts.peakScore(was.peakValue) ? value0 : was.peakValue;
  const active: ActiveState = direction
    ? { ...was, severity, tierIndex: top, lastTsMs: tsMs, value: value0, peakValue, direction }
    : { ...was, severity, tierIndex: top };
  state.active = active;
  if (rank(severity) !== rank(was.severity)) {
    return { state, step: { kind: rank(severity) < rank(was.severity) ? 'escalate' : 'deescalate', atTsMs: tsMs, active } };
  }
  return direction ? { state, step: { kind: 'update', atTsMs: tsMs, active } } : { state };
}
