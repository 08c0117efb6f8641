import { severityRank } from '../../domain/alarm.js';
import type { RuleSettings, Tier } from '../settings-types.js';

/** The most severe of the tiers that hold; undefined when none does. */
export function mostSevere(tiers: readonly Tier[], holds: (t: Tier) => boolean): Tier | undefined {
  return tiers.filter(holds).sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
}

/**
 * C1 (domain.md 2.6, 3.2): the daily freeze missing at the cut-off; tiers are a ladder in days (sustainPoints),
 * e.g. KEY 1 day WARNING, 2 days MAJOR; RESIDENTIAL 3 days INDETERMINATE (the state cannot be judged without
 * data, domain.md 6.2), 7 days MINOR.
 */
export function freezeMissingTier(missingDays: number, settings: RuleSettings | undefined): Tier | undefined {
  if (!settings?.enabled || missingDays <= 0) return undefined;
  return mostSevere(settings.tiers, (t) => missingDays >= t.sustainPoints);
}

// domain.md 2.6: fewer than 90 % of the expected curve points is a collection failure.
const DEFAULT_COMPLETENESS_PCT = 90;
const limitOf = (t: Tier) => t.thresholdPct ?? DEFAULT_COMPLETENESS_PCT;

export type CompletenessVerdict =
  | { kind: 'violating'; tier: Tier; limitPct: number }
  | { kind: 'recovered' }
  /** Between the limit and the recovery level: an open alarm stays as it is (hysteresis, domain.md 2.7). */
  | { kind: 'hold' };

/**
 * C2: curve completeness of one day in % (the worst curve kind). Violating below a tier's limit; recovered at
 * or above the lowest limit × recovery.down, so a day hovering at the limit does not flap.
 */
export function completenessVerdict(completenessPct: number, settings: RuleSettings | undefined): CompletenessVerdict {
  if (!settings?.enabled || settings.tiers.length === 0) return { kind: 'recovered' };
  const tier = mostSevere(settings.tiers, (t) => completenessPct < limitOf(t));
  if (tier) return { kind: 'violating', tier, limitPct: limitOf(tier) };
  const lowest = Math.min(...settings.tiers.map(limitOf));
  return completenessPct >= lowest * settings.recovery.down ? { kind: 'recovered' } : { kind: 'hold' };
}

/** Share of the expected points that arrived, in %, capped at 100 (duplicates are stored once anyway). */
export function completenessPct(points: number, expectedPoints: number): number {
  return Math.min(100, (100 * points) / expectedPoints);
}
