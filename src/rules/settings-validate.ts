import { SEVERITIES } from '../domain/alarm.js';
import { MEASURES, UNDER_RULES, type RuleCode } from './rule-codes.js';
import type { RuleSettings, Tier } from './settings-types.js';

const isPositiveInt = (n: unknown) => Number.isInteger(n) && (n as number) >= 1;
const isFiniteNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

function tierErrors(rule: RuleCode, tier: Tier, i: number): string[] {
  const errors: string[] = [];
  const at = `tiers[${i}]`;
  if (!(SEVERITIES as readonly unknown[]).includes(tier.severity)) errors.push(`${at}.severity must be one of ${SEVERITIES.join(', ')}`);
  if (!isPositiveInt(tier.sustainPoints)) errors.push(`${at}.sustainPoints must be an integer of at least 1`);
  if (tier.thresholdPct !== undefined && (!isFiniteNumber(tier.thresholdPct) || tier.thresholdPct < 0 || tier.thresholdPct > 1000)) {
    errors.push(`${at}.thresholdPct must be a number between 0 and 1000`);
  }
  if (tier.thresholdValue !== undefined && (!isFiniteNumber(tier.thresholdValue) || tier.thresholdValue < 0)) {
    errors.push(`${at}.thresholdValue must be a number of at least 0`);
  }
  if (tier.measure !== undefined && !(MEASURES[rule] ?? []).includes(tier.measure)) {
    const allowed = MEASURES[rule];
    errors.push(allowed ? `${at}.measure must be one of ${allowed.join(', ')}` : `${at}.measure is not used by ${rule}`);
  }
  return errors;
}

/** Escalating tiers of the same measure must be stricter: higher limits for upper limits, lower for lower ones. */
function orderErrors(rule: RuleCode, tiers: readonly Tier[]): string[] {
  const errors: string[] = [];
  const under = UNDER_RULES.includes(rule);
  tiers.forEach((tier, i) => {
    if (tier.thresholdPct === undefined) return;
    const j = tiers.findLastIndex((p, k) => k < i && p.thresholdPct !== undefined && p.measure === tier.measure);
    if (j < 0) return;
    const prev = tiers[j].thresholdPct as number;
    if (!under && !(tier.thresholdPct > prev)) errors.push(`tiers[${i}].thresholdPct must be above tiers[${j}].thresholdPct`);
    if (under && !(tier.thresholdPct < prev)) errors.push(`tiers[${i}].thresholdPct must be below tiers[${j}].thresholdPct`);
  });
  return errors;
}

/**
 * Why a setting cannot work, one message per problem (empty = valid), for the API to return as a 400.
 * Checks shape and impossible combinations; it does not judge whether a threshold is wise.
 */
export function validateRuleSettings(rule: RuleCode, s: RuleSettings): string[] {
  const errors: string[] = [];
  if (typeof s.enabled !== 'boolean') errors.push('enabled must be true or false');
  if (s.form !== undefined && s.form !== 'curve' && s.form !== 'daily') errors.push("form must be 'curve' or 'daily'");
  if (!Array.isArray(s.tiers)) return [...errors, 'tiers must be a list'];
  if (s.enabled && s.tiers.length === 0) errors.push('tiers must not be empty when the rule is enabled');
  s.tiers.forEach((tier, i) => errors.push(...tierErrors(rule, tier, i)));
  errors.push(...orderErrors(rule, s.tiers));
  if (!isPositiveInt(s.clearPoints)) errors.push('clearPoints must be an integer of at least 1');
  const r = s.recovery;
  if (!r || !isFiniteNumber(r.up) || r.up <= 0 || r.up > 1) errors.push('recovery.up must be above 0 and at most 1');
  if (!r || !isFiniteNumber(r.down) || r.down < 1) errors.push('recovery.down must be at least 1');
  if (r?.deltaPct !== undefined && (!isFiniteNumber(r.deltaPct) || r.deltaPct < 0)) errors.push('recovery.deltaPct must be at least 0');
  if (!isFiniteNumber(s.maxGapMs) || s.maxGapMs <= 0) errors.push('maxGapMs must be a positive number of milliseconds');
  if (s.band !== undefined) {
    if (!isFiniteNumber(s.band.lowerPct) || s.band.lowerPct <= 0) errors.push('band.lowerPct must be above 0');
    if (!isFiniteNumber(s.band.upperPct) || !(s.band.upperPct > s.band.lowerPct)) errors.push('band.upperPct must be above band.lowerPct');
  }
  if (s.lightLoadPct !== undefined && (!isFiniteNumber(s.lightLoadPct) || s.lightLoadPct < 0 || s.lightLoadPct > 100)) {
    errors.push('lightLoadPct must be between 0 and 100');
  }
  return errors;
}
