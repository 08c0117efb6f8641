import type { Phase } from '../domain/alarm.js';
import type { CounterOptions, CounterTier, PointValue } from './counter.js';
import type { RuleCode } from './rule-codes.js';
import type { RuleSettings, Tier } from './settings.js';

/** One (rule, phase) to evaluate: its tiers, counter options and how to describe an alarm. */
export interface TrackDef {
  rule: RuleCode;
  phase: Phase | '';
  tiers: CounterTier[];
  opts: CounterOptions;
  threshold: (tierIndex: number, direction: 'over' | 'under') => number;
  details: (tierIndex: number, direction: 'over' | 'under') => Record<string, unknown>;
}

/** The values of one point per measure; '' = the rule's main value. */
export type Measures = Record<string, number | null>;

/** Per-tier values from the measures a point has (tiers without a measure read the main value). */
export function tierValues(tiers: readonly Tier[], m: Measures | null): PointValue {
  if (m === null) return null;
  return tiers.map((t) => m[t.measure ?? ''] ?? null);
}

/** A track whose tiers compare a value with thresholdPct (upper or lower limits). */
export function thresholdTrack(
  rule: RuleCode,
  phase: Phase | '',
  s: RuleSettings,
  dir: 'over' | 'under',
  unit: string,
  extra: Record<string, unknown> = {},
): TrackDef {
  const limitOf = (t: Tier) => t.thresholdPct ?? t.thresholdValue ?? 0;
  return {
    rule, phase,
    tiers: s.tiers.map((t) => ({
      severity: t.severity, sustainPoints: t.sustainPoints,
      limit: dir === 'over' ? { upper: limitOf(t), lower: null, inclusive: rule === 'O1' } : { upper: null, lower: limitOf(t), inclusive: false },
    })),
    opts: { ...s, peakScore: (v) => (dir === 'over' ? v : -v) },
    threshold: (i) => limitOf(s.tiers[i]),
    details: (i, direction) => ({
      direction, unit, ...extra, threshold: limitOf(s.tiers[i]), ...(s.tiers[i].measure ? { measure: s.tiers[i].measure } : {}),
      sustainPoints: s.tiers[i].sustainPoints, clearPoints: s.clearPoints,
    }),
  };
}

/** A track whose value is a condition (1 holds, 0 not); tiers differ by sustain (ladders in time). */
export function conditionTrack(rule: RuleCode, phase: Phase | '', s: RuleSettings, extra: Record<string, unknown> = {}): TrackDef {
  return {
    rule, phase,
    tiers: s.tiers.map((t) => ({ severity: t.severity, sustainPoints: t.sustainPoints, limit: { upper: 1, lower: null, inclusive: true } })),
    opts: { ...s, recovery: { up: 0.99, down: 1.01 }, peakScore: (v) => v },
    threshold: () => 1,
    details: (i) => ({ condition: true, ...extra, sustainPoints: s.tiers[i].sustainPoints, clearPoints: s.clearPoints }),
  };
}
