/**
 * Rule codes of domain.md 3.2. M6 (meter clock error) is absent: samples carry no meter clock to compare.
 * Curve rules run per 15-min point as samples arrive; daily rules run when the freeze closing a day arrives;
 * collection rules run on a schedule (evaluateCollection).
 */
export const CURVE_RULES = ['V1', 'V2', 'V4', 'L1', 'L2', 'L3', 'L4', 'I1', 'O1'] as const;
export const DAILY_RULES = ['V3', 'O2', 'P1', 'D1', 'D2', 'Z1', 'M1', 'M2', 'M3', 'M4', 'M5'] as const;
export const COLLECTION_RULES = ['C1', 'C2'] as const;
export const RULES = [...CURVE_RULES, ...DAILY_RULES, ...COLLECTION_RULES] as const;
export type RuleCode = (typeof RULES)[number];

export function isRuleCode(value: string): value is RuleCode {
  return (RULES as readonly string[]).includes(value);
}

/** Rules whose thresholds are lower limits (violation when the value is below); all others are upper limits. */
export const UNDER_RULES: readonly RuleCode[] = ['V3', 'D1', 'C2'];

/** Measures a tier may select (one value per measure per point); a tier without one uses the rule's main value. */
export const MEASURES: Partial<Record<RuleCode, readonly string[]>> = {
  V1: ['compliance'],
  P1: ['daily', 'monthToDate'],
  D2: ['mean30'],
};
