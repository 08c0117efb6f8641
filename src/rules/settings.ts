import { severityRank, SEVERITIES, type Severity } from '../domain/alarm.js';
import { CUSTOMER_CLASSES, type CustomerClass } from '../domain/customer-class.js';

/** Rules implemented so far (domain.md 3.2). */
export const RULES = ['V1', 'V2', 'O1'] as const;
export type RuleCode = (typeof RULES)[number];

export function isRuleCode(value: string): value is RuleCode {
  return (RULES as readonly string[]).includes(value);
}

/** A voltage band as percent of the reference voltage, e.g. 107 / 90. */
export interface BandPct {
  upperPct: number;
  lowerPct: number;
}

/** One create condition (ThingsBoard: one per severity): beyond the limit for sustainPoints consecutive points. */
export interface Tier {
  severity: Severity;
  /** O1: load rate β in % of contract capacity. Voltage rules use the rule's band instead. */
  thresholdPct?: number;
  sustainPoints: number;
}

export interface RuleSettings {
  enabled: boolean;
  tiers: Tier[];
  /** Consecutive recovered points before a raised tier clears (domain.md 2.7, T_clear). */
  clearPoints: number;
  /** recovered for "value > limit" := value < limit × up; for "value < limit" := value > limit × down. */
  recovery: { up: number; down: number };
  /** A gap between valid values longer than this resets the counters instead of pausing them. */
  maxGapMs: number;
  /** Voltage band; absent for V1 = the GB/T 12325 band of the meter's voltage level. */
  band?: BandPct;
}

export type SettingsByClass = Partial<Record<CustomerClass, Partial<Record<RuleCode, RuleSettings>>>>;

const QUARTER_HOUR_MS = 15 * 60_000;
// domain.md 2.7: recovery coefficients 0.99/1.01 for voltage, 0.95/1.05 for load; maxGap = 2 × interval.
const VOLTAGE_BASE = { clearPoints: 2, recovery: { up: 0.99, down: 1.01 }, maxGapMs: 2 * QUARTER_HOUR_MS };
const LOAD_BASE = { clearPoints: 2, recovery: { up: 0.95, down: 1.05 }, maxGapMs: 2 * QUARTER_HOUR_MS };

// Residential and LV non-residential customers only have daily forms of V1/V2/O1 in the matrix
// (daily compliance, daily min/max, daily peak); those daily rules come later, the curve forms stay off.
const DAILY_ONLY = { enabled: false, tiers: [] };

function v1(sustainPoints: number, severity: Severity): RuleSettings {
  return { ...VOLTAGE_BASE, enabled: true, tiers: [{ severity, sustainPoints }] };
}

function v2(sustainPoints: number, severity: Severity): RuleSettings {
  // domain.md 3.2 V2: upper-upper / lower-lower, e.g. > 120 % or < 78 % of the reference voltage.
  return { ...v1(sustainPoints, severity), band: { upperPct: 120, lowerPct: 78 } };
}

function o1(tiers: Tier[]): RuleSettings {
  return { ...LOAD_BASE, enabled: true, tiers };
}

const O1_KEY: Tier[] = [
  { severity: 'WARNING', thresholdPct: 80, sustainPoints: 4 },
  { severity: 'MAJOR', thresholdPct: 100, sustainPoints: 2 },
  { severity: 'CRITICAL', thresholdPct: 120, sustainPoints: 1 },
];
const O1_STANDARD: Tier[] = [
  { severity: 'MINOR', thresholdPct: 100, sustainPoints: 4 },
  { severity: 'MAJOR', thresholdPct: 120, sustainPoints: 2 },
];

/** domain.md 3.2, rows V1, V2, O1 (curve forms, one point = 15 min). */
export const DEFAULT_SETTINGS: Record<CustomerClass, Record<RuleCode, RuleSettings>> = {
  KEY: { V1: v1(1, 'MINOR'), V2: v2(1, 'MAJOR'), O1: o1(O1_KEY) },
  TOP100: { V1: v1(2, 'MINOR'), V2: v2(1, 'MAJOR'), O1: o1(O1_KEY) },
  DH_KEY: { V1: v1(4, 'WARNING'), V2: v2(2, 'MINOR'), O1: o1(O1_STANDARD) },
  DH_GROWTH: { V1: v1(4, 'WARNING'), V2: v2(2, 'MINOR'), O1: o1(O1_STANDARD) },
  DEDICATED: { V1: v1(4, 'WARNING'), V2: v2(2, 'MINOR'), O1: o1(O1_STANDARD) },
  LV_NONRES: {
    V1: { ...VOLTAGE_BASE, ...DAILY_ONLY },
    V2: { ...VOLTAGE_BASE, ...DAILY_ONLY },
    O1: { ...LOAD_BASE, ...DAILY_ONLY },
  },
  RESIDENTIAL: {
    V1: { ...VOLTAGE_BASE, ...DAILY_ONLY },
    V2: { ...VOLTAGE_BASE, ...DAILY_ONLY },
    O1: { ...LOAD_BASE, ...DAILY_ONLY },
  },
};

function moreSevere(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** Tiers with the same threshold merge field by field: shortest sustain, highest severity. */
function mergeTiers(all: Tier[]): Tier[] {
  const byThreshold = new Map<number | undefined, Tier>();
  for (const t of all) {
    const seen = byThreshold.get(t.thresholdPct);
    byThreshold.set(
      t.thresholdPct,
      seen
        ? { ...seen, severity: moreSevere(seen.severity, t.severity), sustainPoints: Math.min(seen.sustainPoints, t.sustainPoints) }
        : { ...t },
    );
  }
  return [...byThreshold.values()].sort((a, b) => (a.thresholdPct ?? 0) - (b.thresholdPct ?? 0));
}

function narrowest(bands: BandPct[]): BandPct | undefined {
  if (bands.length === 0) return undefined;
  return {
    upperPct: Math.min(...bands.map((b) => b.upperPct)),
    lowerPct: Math.max(...bands.map((b) => b.lowerPct)),
  };
}

/**
 * The setting of one rule for a customer of several classes (domain.md decision 1): the most sensitive wins,
 * i.e. lowest threshold, shortest sustain, highest severity, narrowest band. Clearing takes the most cautious
 * values (longest clearPoints, recovery factors furthest from 1) so a sensitive class is not cleared early.
 * Undefined when no class of the customer has the rule enabled.
 */
export function effectiveSettings(
  classes: readonly CustomerClass[],
  rule: RuleCode,
  settingsByClass: SettingsByClass,
): RuleSettings | undefined {
  const enabled = classes
    .map((c) => settingsByClass[c]?.[rule])
    .filter((s): s is RuleSettings => s !== undefined && s.enabled && s.tiers.length > 0);
  if (enabled.length === 0) return undefined;
  const band = narrowest(enabled.flatMap((s) => (s.band ? [s.band] : [])));
  return {
    enabled: true,
    tiers: mergeTiers(enabled.flatMap((s) => s.tiers)),
    clearPoints: Math.max(...enabled.map((s) => s.clearPoints)),
    recovery: {
      up: Math.min(...enabled.map((s) => s.recovery.up)),
      down: Math.max(...enabled.map((s) => s.recovery.down)),
    },
    maxGapMs: Math.max(...enabled.map((s) => s.maxGapMs)),
    ...(band ? { band } : {}),
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
    (o.thresholdPct === undefined || typeof o.thresholdPct === 'number')
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
  return {
    enabled,
    tiers,
    clearPoints: typeof p.clearPoints === 'number' ? p.clearPoints : fallback.clearPoints,
    recovery: p.recovery ?? fallback.recovery,
    maxGapMs: typeof p.maxGapMs === 'number' ? p.maxGapMs : fallback.maxGapMs,
    ...(band ? { band } : {}),
  };
}

/** What goes into rule_settings.params: everything but `enabled`, which has its own column. */
export function toStored(settings: RuleSettings): Omit<RuleSettings, 'enabled'> {
  const { enabled: _enabled, ...params } = settings;
  return params;
}
