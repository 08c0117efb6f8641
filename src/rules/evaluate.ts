import type { Phase } from '../domain/alarm.js';
import type { MeterContext } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { AnySample } from '../domain/sample.js';
import type { PointValue, Step } from './counter.js';
import { curveTracks, type CurveTrack } from './curve-tracks.js';
import { dailyPoints } from './daily-tracks.js';
import type { DayInput } from './day-input.js';
import { COLLECTION_RULES, CURVE_RULES, RULES, type RuleCode } from './rule-codes.js';
import { effectiveSettings, type RuleOverrides, type RuleSettings, type SettingsByClass } from './settings.js';
import type { TrackDef } from './track.js';
import type { Transition } from './transition.js';
import { kindMask, newestPoint, newPoints, NO_RECENT, pointsFrom, updateRecent, type Recent } from './recent-points.js';
import { isResting, restingOf, staysQuiet, wake, type RestingTrack } from './resting.js';
import { DEFAULT_VOLTAGE_BANDS, type VoltageBands } from './voltage-band.js';
import { advanceTrack, asTrackState, type AdvanceOutput, type NewTrackPoints, type TrackState } from './window.js';

/**
 * Rule state of one meter, keyed by stateKey(rule, phase): a TrackState per (rule, phase), or a RestingTrack
 * marker for a curve track with nothing counting (resting.ts), plus RECENT_KEY with the meter's recent curve
 * samples per kind (recent-points.ts).
 */
export type MeterRuleState = Record<string, unknown>;

export function stateKey(rule: string, phase: Phase | ''): string {
  return `${rule}:${phase}`;
}

export const RECENT_KEY = stateKey('_recent', '');

/** A run of updates in one batch collapses into the transition before it: callers notify once. */
function push(out: Transition[], t: Transition): void {
  const last = out.findLast((o) => o.rule === t.rule && o.phase === t.phase && o.meterId === t.meterId);
  if (t.kind === 'update' && last && last.kind !== 'clear') {
    out[out.lastIndexOf(last)] = { ...t, kind: last.kind, atTsMs: last.atTsMs };
    return;
  }
  out.push(t);
}

function toTransition(meterId: string, def: TrackDef, step: Step): Transition {
  const a = step.active;
  return {
    kind: step.kind, meterId, rule: def.rule, phase: def.phase, severity: a.severity,
    startTsMs: a.startTsMs, lastTsMs: a.lastTsMs, atTsMs: step.atTsMs, value: a.value, peakValue: a.peakValue,
    threshold: def.threshold(a.tierIndex, a.direction), details: def.details(a.tierIndex, a.direction),
  };
}

export interface EvaluateOptions {
  bands?: VoltageBands;
  /** Data dates closed by freezes of this batch, with what the daily rules need (engine adapter). */
  days?: readonly DayInput[];
  /** This customer's overrides (beat the class settings). */
  overrides?: RuleOverrides;
  /**
   * The caller keeps only each meter's latest state and never evaluates from an older one again (the engine's
   * cache): the objects of the states that state was evaluated from are then reused (window.ts, successorOf).
   */
  reuse?: boolean;
}

export interface Evaluation {
  state: MeterRuleState;
  /** False when state is the one passed in, unchanged (a replay, or nothing to evaluate). */
  changed: boolean;
  transitions: Transition[];
  /** Values older than a track's window, ignored (window.ts). */
  tooLate: number;
}

const isCurveRule = (r: RuleCode) => (CURVE_RULES as readonly string[]).includes(r);
const EVALUATED_RULES = RULES.filter((r) => !(COLLECTION_RULES as readonly string[]).includes(r));

/** A curve track as evaluation uses it: its state key, fingerprint and needed kinds worked out once. */
interface PlannedTrack {
  track: CurveTrack;
  key: string;
  fingerprint: string;
  needs: number;
}

/** What to evaluate for one meter: its curve tracks, and the settings of its daily-form and daily rules. */
interface MeterPlan {
  curve: PlannedTrack[];
  daily: { rule: RuleCode; settings: RuleSettings }[];
}

function buildPlan(ctx: MeterContext, settings: SettingsByClass, overrides: RuleOverrides | undefined, bands: VoltageBands): MeterPlan {
  const plan: MeterPlan = { curve: [], daily: [] };
  for (const rule of EVALUATED_RULES) {
    const override = overrides?.[rule];
    const s = override ? effectiveSettings(ctx.customer.classes, rule, settings, override) : classSettings(ctx.customer.classes, rule, settings);
    if (!s) continue;
    if (isCurveRule(rule) && s.form !== 'daily') {
      for (const track of curveTracks(ctx, rule, s, bands)) {
        plan.curve.push({ track, key: stateKey(track.rule, track.phase), fingerprint: fingerprintOf(track), needs: kindMask(track.needs) });
      }
    } else {
      plan.daily.push({ rule, settings: s });
    }
  }
  return plan;
}

// Merging class settings is pure and the same for every customer of the same classes: once per
// (settings snapshot, classes, rule) instead of once per meter.
const merged = new WeakMap<SettingsByClass, Map<string, RuleSettings | undefined>>();

function classSettings(classes: readonly CustomerClass[], rule: RuleCode, settings: SettingsByClass): RuleSettings | undefined {
  let bySnapshot = merged.get(settings);
  if (!bySnapshot) merged.set(settings, (bySnapshot = new Map()));
  const key = `${rule}:${classes.join('|')}`;
  if (!bySnapshot.has(key)) bySnapshot.set(key, effectiveSettings(classes, rule, settings));
  return bySnapshot.get(key);
}

// A meter's plan depends only on its archive entry and the settings snapshot, so it is built once per settings
// object and reused by every batch until either changes (a hit is one lookup per meter context). Meters whose
// entries differ only in what names and places them (planKey) share one plan: building one costs a few hundred
// microseconds and ~10 KB of heap, which a fleet of alike meters then pays once per kind of meter, at start and
// after every settings change, instead of once per meter. Customer overrides and non-default bands are rare and
// build a fresh plan.
const plans = new WeakMap<SettingsByClass, { byCtx: WeakMap<MeterContext, MeterPlan>; byKey: Map<string, MeterPlan> }>();

/** The archive entry without its identities, names and places: everything a plan could depend on. */
export function planKey(ctx: MeterContext): string {
  const { id: _id, customerId: _customerId, concentratorId: _concentratorId, ...meter } = ctx.meter;
  const { id: _cid, name: _name, address: _address, phone: _phone, accountManager: _manager, lat: _lat, lon: _lon, ...customer } = ctx.customer;
  return JSON.stringify([meter, customer]);
}

function planOf(ctx: MeterContext, settings: SettingsByClass, overrides: RuleOverrides | undefined, bands: VoltageBands): MeterPlan {
  if (overrides || bands !== DEFAULT_VOLTAGE_BANDS) return buildPlan(ctx, settings, overrides, bands);
  let cached = plans.get(settings);
  if (!cached) plans.set(settings, (cached = { byCtx: new WeakMap(), byKey: new Map() }));
  let plan = cached.byCtx.get(ctx);
  if (plan) return plan;
  const key = planKey(ctx);
  plan = cached.byKey.get(key);
  if (!plan) cached.byKey.set(key, (plan = buildPlan(ctx, settings, undefined, bands)));
  cached.byCtx.set(ctx, plan);
  return plan;
}

/** FNV-1a of the tiers and options (functions are left out: what they capture shows in the limits). */
function fingerprintOf(def: TrackDef): string {
  const text = JSON.stringify([def.tiers, def.opts]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(36);
}

// One track's new points (refilled for every track) and what advancing the tracks produced (per evaluation),
// instead of arrays each: a fleet pass evaluates ~20 tracks per meter, and advanceTrack keeps none of them. The
// arrays are overwritten, never truncated: truncating one to zero frees its backing store, regrown at the next push.
const trackPoints: { ts: number[]; values: PointValue[]; n: number } = { ts: [], values: [], n: 0 };
const advanced: AdvanceOutput = { steps: [], tooLate: 0 };
/** newestPoint of this evaluation's recent points per needs mask, NaN until asked for. */
const newestByNeeds: number[] = new Array<number>(8);

/**
 * The newest point a resting track rests on. Not among the recent points (a kind it needs missing for a long
 * while): +Infinity, so that the track wakes and its window is rebuilt from what the recent points still hold.
 */
function lastPointOf(rest: RestingTrack, recent: Recent, needs: number): number {
  let newest = newestByNeeds[needs];
  if (Number.isNaN(newest)) newestByNeeds[needs] = newest = newestPoint(recent, needs);
  return newest >= rest.from ? newest : Number.POSITIVE_INFINITY;
}

/**
 * Evaluates every rule of domain.md 3.2 for one meter over new samples (primary values, any kinds, any order):
 * curve rules on the 15-min points, daily rules on the data dates in opts.days. Pure: state in, next state and
 * alarm transitions out. Late samples re-evaluate their window; replays change nothing.
 */
export function evaluate(
  ctx: MeterContext,
  samples: readonly AnySample[],
  settings: SettingsByClass,
  state: MeterRuleState,
  opts: EvaluateOptions = {},
): Evaluation {
  const bands = opts.bands ?? DEFAULT_VOLTAGE_BANDS;
  const next: MeterRuleState = { ...state };
  const transitions: Transition[] = [];
  advanced.tooLate = 0;
  let changed = false;
  // The engine passes each meter its own samples: a copy only for callers that pass others'.
  const mine = samples.every((s) => s.meterId === ctx.meter.id) ? samples : samples.filter((s) => s.meterId === ctx.meter.id);
  const recent = state[RECENT_KEY] as Recent | undefined;
  const points = newPoints(mine, recent ?? NO_RECENT);
  if (points.length > 0) {
    next[RECENT_KEY] = updateRecent(recent, mine);
    changed = true;
  }

  const run = (def: TrackDef, points: NewTrackPoints, key = stateKey(def.rule, def.phase), fingerprint = fingerprintOf(def)) => {
    const prev = asTrackState(next[key], def.tiers.length);
    // Only a track's first advance in this evaluation may reuse: after it, the spare is the caller's own state (a
    // daily track advances once per day a batch closes).
    const reuse = opts.reuse === true && next[key] === state[key];
    const advancedState = advanceTrack(prev, points, def.tiers, def.opts, fingerprint, advanced, reuse);
    if (advanced.steps.length > 0) {
      for (const step of advanced.steps) push(transitions, toTransition(ctx.meter.id, def, step));
      advanced.steps.length = 0;
    }
    if (advancedState !== prev) {
      next[key] = advancedState satisfies TrackState;
      changed = true;
    }
    return advancedState;
  };

  const plan = planOf(ctx, settings, opts.overrides, bands);
  if (points.length > 0) {
    const before = recent ?? NO_RECENT;
    newestByNeeds.fill(Number.NaN);
    for (const { track, key, fingerprint, needs } of plan.curve) {
      const stored = next[key];
      const resting = isResting(stored);
      // A point whose needed kinds all came in earlier batches was evaluated then: only a replay here. Only a
      // resting track needs its values checked here (an awake one is advanced whatever they are).
      let n = 0;
      let quiet = resting;
      for (const { point, present, arrived } of points) {
        if ((present & needs) !== needs || (arrived & needs) === 0) continue;
        const value = track.read(point);
        trackPoints.ts[n] = point.tsMs;
        trackPoints.values[n++] = value;
        if (quiet) quiet = staysQuiet(value, track.tiers);
      }
      if (n === 0) continue;
      trackPoints.n = n;
      if (resting) {
        // Quiet values after its newest point under the same tiers: it rests on, and nothing is written.
        if (quiet && stored.rests === fingerprint && trackPoints.ts[0] > lastPointOf(stored, before, needs)) continue;
        const restedOn = pointsFrom(before, needs, stored.from);
        next[key] = wake(stored, restedOn.map((p) => p.tsMs), restedOn.map((p) => track.read(p)), track.tiers.length);
      }
      const rest = restingOf(run(track, trackPoints, key, fingerprint), track.tiers, fingerprint);
      if (rest) next[key] = rest;
    }
  }
  for (const { rule, settings: s } of plan.daily) {
    for (const day of opts.days ?? []) {
      for (const p of dailyPoints(ctx, rule, s, day, bands)) run(p.def, { ts: [day.dayStartMs], values: [p.value], n: 1 });
    }
  }
  const { tooLate } = advanced;
  return changed ? { state: next, changed, transitions, tooLate } : { state, changed, transitions, tooLate };
}
