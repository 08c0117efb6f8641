import type { Phase } from '../domain/alarm.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample, PhaseValues } from '../domain/sample.js';
import { initialCounterState, stepCounter, type CounterOptions, type CounterState, type CounterTier } from './counter.js';
import { loadRatePct } from './load-rate.js';
import { effectiveSettings, RULES, type RuleCode, type RuleSettings, type SettingsByClass } from './settings.js';
import type { Transition } from './transition.js';
import { bandVolts, DEFAULT_VOLTAGE_BANDS, qualifiedBand, voltageReference, type VoltageBands } from './voltage-band.js';

/** Counter state per (rule, phase) of one meter, keyed by stateKey(rule, phase). */
export type MeterRuleState = Record<string, CounterState>;

export function stateKey(rule: string, phase: Phase | ''): string {
  return `${rule}:${phase}`;
}

/** One (rule, phase) to evaluate: its tiers, how to read a sample and how to describe the result. */
interface Track {
  rule: RuleCode;
  phase: Phase | '';
  kind: 'voltage' | 'load';
  read: (sample: AnySample) => number | null;
  tiers: CounterTier[];
  opts: CounterOptions;
  threshold: (tierIndex: number, direction: 'over' | 'under') => number;
  details: (tierIndex: number, direction: 'over' | 'under') => Record<string, unknown>;
}

const V2_DEFAULT_BAND = { upperPct: 120, lowerPct: 78 };

function voltageTracks(ctx: MeterContext, rule: 'V1' | 'V2', s: RuleSettings, bands: VoltageBands): Track[] {
  const { referenceV, phases } = voltageReference(ctx.meter);
  const bandPct = s.band ?? (rule === 'V1' ? qualifiedBand(ctx.meter, bands) : V2_DEFAULT_BAND);
  const { upperV, lowerV } = bandVolts(referenceV, bandPct);
  const limit = { upper: upperV, lower: lowerV, inclusive: false };
  const opts = { ...s, peakScore: (v: number) => Math.abs(v - referenceV) };
  return phases.map((phase) => ({
    rule,
    phase,
    kind: 'voltage',
    read: (sample) => (sample.values as PhaseValues)[phase.toLowerCase() as keyof PhaseValues],
    tiers: s.tiers.map((t) => ({ severity: t.severity, sustainPoints: t.sustainPoints, limit })),
    opts,
    threshold: (_i, direction) => (direction === 'over' ? upperV : lowerV),
    details: (i, direction) => ({
      direction, unit: 'V', referenceV, band: { ...bandPct, upperV, lowerV },
      sustainPoints: s.tiers[i].sustainPoints, clearPoints: s.clearPoints,
    }),
  }));
}

function loadTracks(ctx: MeterContext, s: RuleSettings): Track[] {
  const contractKva = ctx.customer.contractKva;
  // Without a contract capacity there is nothing to compare the load with.
  if (contractKva === null || !(contractKva > 0)) return [];
  const tiers = s.tiers.filter((t) => t.thresholdPct !== undefined);
  return [{
    rule: 'O1',
    phase: '',
    kind: 'load',
    read: (sample) => (sample.kind === 'load' ? loadRatePct(sample.values, contractKva) : null),
    tiers: tiers.map((t) => ({
      severity: t.severity, sustainPoints: t.sustainPoints,
      limit: { upper: t.thresholdPct as number, lower: null, inclusive: true },
    })),
    opts: { ...s, peakScore: (v) => v },
    threshold: (i) => tiers[i].thresholdPct as number,
    details: (i, direction) => ({
      direction, unit: '%', contractKva, thresholdPct: tiers[i].thresholdPct,
      sustainPoints: tiers[i].sustainPoints, clearPoints: s.clearPoints,
    }),
  }];
}

function tracksFor(ctx: MeterContext, settings: SettingsByClass, bands: VoltageBands): Track[] {
  return RULES.flatMap((rule) => {
    const s = effectiveSettings(ctx.customer.classes, rule, settings);
    if (!s) return [];
    return rule === 'O1' ? loadTracks(ctx, s) : voltageTracks(ctx, rule, s, bands);
  });
}

/** A run of updates in one batch collapses into the transition before it: callers notify once. */
function push(out: Transition[], t: Transition): void {
  const last = out.findLast((o) => o.rule === t.rule && o.phase === t.phase);
  if (t.kind === 'update' && last && last.kind !== 'clear') {
    out[out.lastIndexOf(last)] = { ...t, kind: last.kind, atTsMs: last.atTsMs };
    return;
  }
  out.push(t);
}

/**
 * Evaluates V1, V2 and O1 for one meter over new samples (primary values, any kinds; only voltage and load
 * are used). Pure: the state in, the next state and the alarm transitions out. Replay-safe: samples not newer
 * than the last one evaluated for a (rule, phase) change nothing.
 */
export function evaluate(
  ctx: MeterContext,
  samples: readonly AnySample[],
  settings: SettingsByClass,
  state: MeterRuleState,
  bands: VoltageBands = DEFAULT_VOLTAGE_BANDS,
): { state: MeterRuleState; transitions: Transition[] } {
  const next: MeterRuleState = { ...state };
  const transitions: Transition[] = [];
  const mine = samples.filter((s) => s.meterId === ctx.meter.id).sort((a, b) => a.tsMs - b.tsMs);
  for (const track of tracksFor(ctx, settings, bands)) {
    const key = stateKey(track.rule, track.phase);
    let counter = next[key] ?? initialCounterState(track.tiers.length);
    for (const sample of mine) {
      if (sample.kind !== track.kind) continue;
      const { state: after, step } = stepCounter(counter, sample.tsMs, track.read(sample), track.tiers, track.opts);
      counter = after;
      if (!step) continue;
      const a = step.active;
      push(transitions, {
        kind: step.kind, meterId: ctx.meter.id, rule: track.rule, phase: track.phase, severity: a.severity,
        startTsMs: a.startTsMs, lastTsMs: a.lastTsMs, atTsMs: step.atTsMs, value: a.value, peakValue: a.peakValue,
        threshold: track.threshold(a.tierIndex, a.direction), details: track.details(a.tierIndex, a.direction),
      });
    }
    // Tracks without any sample of their kind leave no state behind.
    if (counter.lastTsMs !== null) next[key] = counter;
  }
  return { state: next, transitions };
}
