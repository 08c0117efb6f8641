import { severityRank, SEVERITIES, type Severity } from '../domain/alarm.js';
import { CUSTOMER_CLASSES, type CustomerClass } from '../domain/customer-class.js';
import { RULES, type RuleCode } from './rule-codes.js';
import { DEFAULT_SETTINGS } from './settings-defaults.js';

export { isRuleCode, RULES, type RuleCode } from './rule-codes.js';
export { DEFAULT_SETTINGS } from './settings-defaults.js';
export { validateRuleSettings } from './settings-validate.js';
export type { BandPct, RuleOverrides, RuleSettings, SettingsByClass, Tier } from './settings-types.js';
import type { BandPct, RuleSettings, SettingsByClass, Tier } from './settings-types.js';

function moreSevere(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

const thresholdKey = (t: Tier) => `${t.measure ?? ''}|${t.thresholdPct ?? ''}|${t.thresholdValue ?? ''}`;

/** A class whose tiers share a threshold is a ladder in time (Z1: 1 day MINOR, 2 days MAJOR). */
function isLadder(tiers: readonly Tier[]): boolean {
  return new Set(tiers.map(thresholdKey)).size < tiers.length;
}

/** A tier is useless when another at the same threshold is at least as severe and raises no later. */
function dominated(t: Tier, all: readonly Tier[]): boolean {
  return all.some((u) => u !== t && thresholdKey(u) === thresholdKey(t) &&
    severityRank(u.severity) <= severityRank(t.severity) && u.sustainPoints <= t.sustainPoints &&
    (severityRank(u.severity) < severityRank(t.severity) || u.sustainPoints < t.sustainPoints));
}

/**
 * Tiers with the same threshold merge field by field: shortest sustain, highest severity. Ladders in time merge
 * per (threshold, severity) instead, so "1 day MINOR, 2 days MAJOR" keeps both steps.
 */
function mergeTiers(perClass: readonly Tier[][]): Tier[] {
  const ladder = perClass.some(isLadder);
  const byKey = new Map<string, Tier>();
  for (const t of perClass.flat()) {
    const key = thresholdKey(t) + (ladder ? `|${t.severity}` : '');
    const seen = byKey.get(key);
    byKey.set(key, seen
      ? { ...seen, severity: moreSevere(seen.severity, t.severity), sustainPoints: Math.min(seen.sustainPoints, t.sustainPoints) }
      : { ...t });
  }
  const merged = [...byKey.values()];
  return merged.filter((t) => !dominated(t, merged)).sort((a, b) =>
    (a.thresholdPct ?? a.thresholdValue ?? 0) - (b.thresholdPct ?? b.thresholdValue ?? 0) || a.sustainPoints - b.sustainPoints);
}

function narrowest(bands: BandPct[]): BandPct | undefined {
  if (bands.length === 0) return undefined;
  return {
    upperPct: Math.min(...bands.map((b) => b.upperPct)),
    lowerPct: Math.max(...bands.map((b) => b.lowerPct)),
  };
}

const usable = (s: RuleSettings | undefined): s is RuleSettings => s !== undefined && s.enabled && s.tiers.length > 0;

/**
 * The setting of one rule for a customer of several classes (domain.md decision 1): the most sensitive wins,
 * i.e. lowest threshold, shortest sustain, highest severity, narrowest band. Clearing takes the most cautious
 * values (longest clearPoints, recovery factors furthest from 1) so a sensitive class is not cleared early.
 * A curve form wins over a daily form (the curve classes are the watched ones). A per-customer override
 * (withOverride) replaces the merged result field by field. Undefined when the rule ends up disabled.
 */
export function effectiveSettings(
  classes: readonly CustomerClass[],
  rule: RuleCode,
  settingsByClass: SettingsByClass,
  override?: Partial<RuleSettings>,
): RuleSettings | undefined {
  const all = classes.map((c) => settingsByClass[c]?.[rule]).filter(usable);
  const curve = all.filter((s) => s.form !== 'daily');
  const enabled = curve.length > 0 ? curve : all;
  const merged = enabled.length === 0 ? undefined : mergeSettings(enabled);
  if (!override) return merged;
  const base = merged ?? classes.map((c) => DEFAULT_SETTINGS[c]?.[rule]).find((s) => s !== undefined);
  if (!base) return undefined;
  const result = withOverride(base, override);
  return usable(result) ? result : undefined;
}

function mergeSettings(enabled: RuleSettings[]): RuleSettings {
  const band = narrowest(enabled.flatMap((s) => (s.band ? [s.band] : [])));
  const deltas = enabled.flatMap((s) => (s.recovery.deltaPct === undefined ? [] : [s.recovery.deltaPct]));
  const gates = enabled.flatMap((s) => (s.lightLoadPct === undefined ? [] : [s.lightLoadPct]));
  return {
    enabled: true,
    ...(enabled[0].form ? { form: enabled[0].form } : {}),
    tiers: mergeTiers(enabled.map((s) => s.tiers)),
    clearPoints: Math.max(...enabled.map((s) => s.clearPoints)),
    recovery: {
      up: Math.min(...enabled.map((s) => s.recovery.up)),
      down: Math.max(...enabled.map((s) => s.recovery.down)),
      ...(deltas.length > 0 ? { deltaPct: Math.max(...deltas) } : {}),
    },
    maxGapMs: Math.max(...enabled.map((s) => s.maxGapMs)),
    ...(band ? { band } : {}),
    ...(gates.length > 0 ? { lightLoadPct: Math.min(...gates) } : {}),
  };
}

/**
 * A per-customer override on top of the class setting (domain.md 3.1: overrides beat class defaults): every
 * field present in the override replaces the class value; tiers replace as a whole (a customer's ladder is one
 * decision), recovery and band merge field by field. Validate the result with validateRuleSettings.
 */
export function withOverride(classSettings: RuleSettings, override: Partial<RuleSettings> | undefined): RuleSettings {
  if (!override) return classSettings;
  const { recovery, band, tiers, ...rest } = override;
  const mergedBand = band ? { ...(classSettings.band ?? band), ...band } : classSettings.band;
  return {
    ...classSettings,
    ...rest,
    tiers: tiers ? tiers.map((t) => ({ ...t })) : classSettings.tiers,
    recovery: { ...classSettings.recovery, ...recovery },
    ...(mergedBand ? { band: mergedBand } : {}),
  };
}

/** Every (class, rule) of the default matrix, for seeding storage. */
export function defaultRows(): { customerClass: CustomerClass; rule: RuleCode; settings: RuleSettings }[] {
  return CUSTOMER_CLASSES.flatMap((customerClass) =>
    RULES.map((rule) => ({ customerClass, rule, settings: DEFAULT_SETTINGS[customerClass][rule] })),
  );
}

function isTier(t: unknown): t is Tier {
  const o = t as Partial<Tier> | null;
  return (
    typeof o === 'object' && o !== null &&
    (SEVERITIES as readonly unknown[]).includes(o.severity) &&
    Number.isInteger(o.sustainPoints) && (o.sustainPoints as number) >= 1 &&
    (o.thresholdPct === undefined || typeof o.thresholdPct === 'number') &&
    (o.thresholdValue === undefined || typeof o.thresholdValue === 'number') &&
    (o.measure === undefined || typeof o.measure === 'string')
  );
}

/**
 * Stored params (jsonb) back into settings; fields missing from the stored row fall back to the
 * default of that (class, rule). Undefined when the stored tiers are malformed.
 */
export function fromStored(enabled: boolean, params: unknown, fallback: RuleSettings): RuleSettings | undefined {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Partial<RuleSettings>;
  const tiers = p.tiers ?? fallback.tiers;
  if (!Array.isArray(tiers) || !tiers.every(isTier)) return undefined;
  const band = p.band ?? fallback.band;
  const form = p.form ?? fallback.form;
  const lightLoadPct = typeof p.lightLoadPct === 'number' ? p.lightLoadPct : fallback.lightLoadPct;
  return {
    enabled,
    ...(form ? { form } : {}),
    tiers,
    clearPoints: typeof p.clearPoints === 'number' ? p.clearPoints : fallback.clearPoints,
    recovery: p.recovery ?? fallback.recovery,
    maxGapMs: typeof p.maxGapMs === 'number' ? p.maxGapMs : fallback.maxGapMs,
    ...(band ? { band } : {}),
    ...(lightLoadPct !== undefined ? { lightLoadPct } : {}),
  };
}

/** What goes into rule_settings.params: everything but `enabled`, which has its own column. */
export function toStored(settings: RuleSettings): Omit<RuleSettings, 'enabled'> {
  const { enabled: _enabled, ...params } = settings;
  return params;
}
