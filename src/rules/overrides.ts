import { DEFAULT_SETTINGS } from './settings-defaults.js';
import { isRuleCode, validateRuleSettings, withOverride, type RuleCode, type RuleSettings } from './settings.js';

/** The fields a rule setting may carry; anything else in a request is a typo that would be silently ignored. */
const FIELDS = new Set<string>([
  'enabled', 'form', 'tiers', 'clearPoints', 'recovery', 'maxGapMs', 'band', 'lightLoadPct',
  ...Object.values(DEFAULT_SETTINGS).flatMap((byRule) => Object.values(byRule).flatMap((s) => Object.keys(s))),
]);

export type RuleChanges = Partial<Record<RuleCode, Partial<RuleSettings>>>;

export type ChangeCheck =
  | { ok: true; changes: RuleChanges; merged: Partial<Record<RuleCode, RuleSettings>> }
  | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shapeErrors(rule: string, change: unknown): string[] {
  if (!isObject(change)) return [`${rule} must be an object of rule settings`];
  const errors = Object.keys(change).filter((k) => !FIELDS.has(k)).map((k) => `${rule}.${k} is not a rule setting`);
  if ('tiers' in change && !(Array.isArray(change.tiers) && change.tiers.every(isObject))) errors.push(`${rule}.tiers must be a list of tiers`);
  for (const k of ['recovery', 'band'] as const) {
    if (k in change && !isObject(change[k])) errors.push(`${rule}.${k} must be an object`);
  }
  return errors;
}

/**
 * Checks requested changes per rule (a class profile edit or a customer override) by merging each onto the
 * setting it would change (base(rule)) and validating the result, so an impossible threshold is refused with
 * every problem named `RULE.field …`. Pure: the caller loads the bases and stores the changes.
 */
export function checkRuleChanges(requested: Record<string, unknown>, base: (rule: RuleCode) => RuleSettings): ChangeCheck {
  const errors: string[] = [];
  const changes: RuleChanges = {};
  const merged: Partial<Record<RuleCode, RuleSettings>> = {};
  for (const [rule, change] of Object.entries(requested)) {
    if (!isRuleCode(rule)) {
      errors.push(`${rule} is not a rule`);
      continue;
    }
    const shape = shapeErrors(rule, change);
    if (shape.length > 0) {
      errors.push(...shape);
      continue;
    }
    const result = withOverride(base(rule), change as Partial<RuleSettings>);
    const problems = validateRuleSettings(rule, result).map((e) => `${rule}.${e}`);
    if (problems.length > 0) errors.push(...problems);
    else {
      changes[rule] = change as Partial<RuleSettings>;
      merged[rule] = result;
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, changes, merged };
}
