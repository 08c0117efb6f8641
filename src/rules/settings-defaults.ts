import type { Severity } from '../domain/alarm.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { RuleCode } from './rule-codes.js';
import type { RuleSettings, Tier } from './settings-types.js';

/** The default rule matrix of domain.md 3.2, as data. One curve point = 15 min; one daily point = one data date. */

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 24 * 3_600_000;
// domain.md 2.7: recovery 0.99/1.01 for voltage, 0.95/1.05 for current/load, unbalance 5 points below the limit;
// maxGap = 2 × interval.
const VOLTAGE = { clearPoints: 2, recovery: { up: 0.99, down: 1.01 }, maxGapMs: 2 * QUARTER_HOUR_MS };
const LOAD = { clearPoints: 2, recovery: { up: 0.95, down: 1.05 }, maxGapMs: 2 * QUARTER_HOUR_MS };
const UNBALANCE = { ...LOAD, recovery: { up: 0.95, down: 1.05, deltaPct: 5 } };
// Voltage unbalance limits are 2 % / 4 %: 5 points would never recover, so 80 % of the limit [PROP].
const V_UNBALANCE = { ...LOAD, recovery: { up: 0.8, down: 1.2 } };
// Conditions (1 = holds): any value below 1 recovers.
const CONDITION = { clearPoints: 2, recovery: { up: 0.99, down: 1.01 }, maxGapMs: 2 * QUARTER_HOUR_MS };
// Daily rules: one point per day; a missing day pauses, two missing days reset.
const DAILY = { form: 'daily' as const, clearPoints: 1, recovery: { up: 0.99, down: 1.01 }, maxGapMs: 2 * DAY_MS };
const OFF = { enabled: false, tiers: [] };

const t = (severity: Severity, sustainPoints: number, thresholdPct?: number): Tier =>
  thresholdPct === undefined ? { severity, sustainPoints } : { severity, sustainPoints, thresholdPct };
const curve = (base: Omit<RuleSettings, 'enabled' | 'tiers'>, ...tiers: Tier[]): RuleSettings => ({ ...base, enabled: true, tiers });
const daily = (...tiers: Tier[]): RuleSettings => ({ ...DAILY, enabled: true, tiers });
const off = (base: Omit<RuleSettings, 'enabled' | 'tiers'> = DAILY): RuleSettings => ({ ...base, ...OFF });
const ASSESSMENT = { upperPct: 120, lowerPct: 78 };
const ladder = (a: Severity, aDays: number, b: Severity, bDays: number) => daily(t(a, aDays), t(b, bDays));

/** Curve classes: KEY, TOP100, DH_KEY, DH_GROWTH, DEDICATED differ only where the matrix says so. */
function curveClass(c: 'KEY' | 'TOP100' | 'DH' | 'DEDICATED'): Record<RuleCode, RuleSettings> {
  const top = c === 'KEY' || c === 'TOP100';
  const dh = c === 'DH';
  return {
    V1: curve(VOLTAGE, t(c === 'KEY' ? 'MINOR' : top ? 'MINOR' : 'WARNING', c === 'KEY' ? 1 : top ? 2 : 4)),
    V2: { ...curve(VOLTAGE, t(top ? 'MAJOR' : 'MINOR', top ? 1 : 2)), band: ASSESSMENT },
    V3: c === 'KEY' ? daily(t('WARNING', 1, 99), t('MINOR', 1, 95)) : daily(t('WARNING', 1, c === 'TOP100' ? 98 : 95)),
    V4: top ? curve(V_UNBALANCE, t('WARNING', 4, 2), t('MINOR', 1, 4)) : curve(V_UNBALANCE, t('WARNING', 4, 4)),
    L1: c === 'KEY' ? curve(CONDITION, t('CRITICAL', 1))
      : c === 'TOP100' ? curve(CONDITION, t('MAJOR', 1), t('CRITICAL', 5))
      : curve(CONDITION, t('MAJOR', dh ? 1 : 2)),
    L2: curve(CONDITION, t(c === 'KEY' ? 'CRITICAL' : 'MAJOR', c === 'DEDICATED' ? 2 : 1)),
    L3: curve(CONDITION, t(top ? 'CRITICAL' : 'MAJOR', c === 'DEDICATED' ? 2 : 1)),
    L4: curve(CONDITION, t('MAJOR', 4)),
    I1: top ? { ...curve(UNBALANCE, t('WARNING', 4, 15), t('MINOR', 4, 25), t('MAJOR', 4, 30)), lightLoadPct: 10 }
      : dh ? { ...curve(UNBALANCE, t('WARNING', 8, 25), t('MINOR', 8, 30)), lightLoadPct: 10 }
      : { ...curve(UNBALANCE, t('MINOR', 8, 30)), lightLoadPct: 10 },
    O1: top ? curve(LOAD, t('WARNING', 4, 80), t('MAJOR', 2, 100), t('CRITICAL', 1, 120))
      : curve(LOAD, t('MINOR', 4, 100), t('MAJOR', 2, 120)),
    // Demand over contract (domain.md 2.4): > 100 % warns, the 105 % billing rule is the alarm.
    O2: top ? daily(t('WARNING', 1, 100), t('MAJOR', 1, 105)) : daily(t('MINOR', 1, 105)),
    // P1 values are the PF deficit below the customer's standard × 100: > 5 = daily PF below std − 0.05.
    P1: top
      ? daily({ ...t('WARNING', 1, 5), measure: 'daily' }, { ...t('MINOR', 1, 0), measure: 'monthToDate' })
      : daily({ ...t('WARNING', 1, 0), measure: 'monthToDate' }),
    D1: daily(c === 'DEDICATED' ? t('WARNING', 1, 30) : t('MINOR', 1, 50)),
    D2: daily(t('WARNING', 1, c === 'DEDICATED' ? 200 : 150)),
    Z1: c === 'KEY' ? ladder('MINOR', 1, 'MAJOR', 2) : c === 'TOP100' ? ladder('MINOR', 1, 'MAJOR', 3)
      : dh ? ladder('MINOR', 2, 'MAJOR', 5) : ladder('MINOR', 3, 'MAJOR', 7),
    ...registerRules('MAJOR'),
    M4: daily({ severity: 'WARNING', sustainPoints: 1 }, { severity: 'MINOR', sustainPoints: 2, thresholdValue: 1 }),
    C1: c === 'DEDICATED' ? daily(t('MINOR', 3)) : dh ? ladder('WARNING', 1, 'MINOR', 3) : ladder('WARNING', 1, 'MAJOR', 2),
    C2: daily(t('WARNING', 1, 90)),
  };
}

/** M1, M2, M3, M5 (and M4's first tier) only differ in severity between curve and low-voltage classes. */
function registerRules(severity: Severity): Pick<Record<RuleCode, RuleSettings>, 'M1' | 'M2' | 'M3' | 'M4' | 'M5'> {
  return {
    // domain.md 2.6: ε = 0.05 kWh (secondary) so rounding never looks like a decrease.
    M1: daily({ severity, sustainPoints: 1, thresholdValue: 0.05 }),
    // k = 1.2 of contract capacity × 24 h (domain.md 2.6, 5.5).
    M2: daily(t(severity, 1, 120)),
    M3: daily(t(severity, 1)),
    // No thresholdValue: the rounding tolerance (M + 1) × 0.01 kWh.
    M4: daily({ severity: 'WARNING', sustainPoints: 1 }),
    M5: daily({ severity, sustainPoints: 1, thresholdValue: 0.1 }),
  };
}

/** RESIDENTIAL and LV_NONRES: daily forms only (they have daily freezes, rarely curves). */
function lowVoltageClass(): Record<RuleCode, RuleSettings> {
  return {
    V1: daily({ severity: 'WARNING', sustainPoints: 1, thresholdPct: 95, measure: 'compliance' }),
    V2: { ...daily(t('MINOR', 1)), band: { upperPct: 110, lowerPct: 85 } },
    V3: daily(t('MINOR', 1, 90)),
    V4: off(V_UNBALANCE),
    // LV three-phase meters only (1P meters have no other phase to compare with).
    L1: daily(t('MINOR', 1)),
    L2: daily(t('MINOR', 1)),
    // Aggregate per 台区 only (domain.md 3.2): not per meter.
    L3: off(CONDITION),
    L4: daily(t('MINOR', 1)),
    I1: { ...daily(t('WARNING', 1, 30)), recovery: UNBALANCE.recovery, lightLoadPct: 10 },
    O1: daily(t('WARNING', 1, 100)),
    O2: off(),
    P1: off(),
    D1: off(),
    D2: daily({ severity: 'WARNING', sustainPoints: 1, thresholdPct: 300, measure: 'mean30' }),
    Z1: ladder('WARNING', 7, 'MINOR', 30),
    ...registerRules('MINOR'),
    C1: ladder('INDETERMINATE', 3, 'MINOR', 7),
    C2: off(),
  };
}

export const DEFAULT_SETTINGS: Record<CustomerClass, Record<RuleCode, RuleSettings>> = {
  KEY: curveClass('KEY'),
  TOP100: curveClass('TOP100'),
  DH_KEY: curveClass('DH'),
  DH_GROWTH: curveClass('DH'),
  DEDICATED: curveClass('DEDICATED'),
  LV_NONRES: lowVoltageClass(),
  RESIDENTIAL: lowVoltageClass(),
};
