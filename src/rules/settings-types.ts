import type { Severity } from '../domain/alarm.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { RuleCode } from './rule-codes.js';
/** A voltage band as percent of the reference voltage, e.g. 107 / 90. */
export interface BandPct {
  upperPct: number;
  lowerPct: number;
}

/** One create condition (ThingsBoard: one per severity): beyond the limit for sustainPoints consecutive points. */
export interface Tier {
  severity: Severity;
  /** Limit in % (unit per rule: β, unbalance, compliance, % of baseline, PF deficit × 100 …). */
  thresholdPct?: number;
  /** Limit in the rule's own unit (kWh secondary for M1, M4, M5). */
  thresholdValue?: number;
  /** Which value of the point the tier looks at (rule-codes MEASURES); absent = the rule's main value. */
  measure?: string;
  sustainPoints: number;
}

export interface RuleSettings {
  enabled: boolean;
  /** 'daily': one point per data date (classes with daily freezes only); absent = the rule's natural form. */
  form?: 'curve' | 'daily';
  tiers: Tier[];
  /** Consecutive recovered points before a raised tier clears (domain.md 2.7, T_clear). */
  clearPoints: number;
  /**
   * recovered for "value > limit" := value < limit × up (or < limit − deltaPct when set, for unbalance);
   * for "value < limit" := value > limit × down (or > limit + deltaPct).
   */
  recovery: { up: number; down: number; deltaPct?: number };
  /** A gap between valid values longer than this resets the counters instead of pausing them. */
  maxGapMs: number;
  /** Voltage band; absent for V1 = the GB/T 12325 band of the meter's voltage level. */
  band?: BandPct;
  /** I1 light-load gate: no evaluation while I_max < this % of the rated current (domain.md 2.2). */
  lightLoadPct?: number;
}

export type SettingsByClass = Partial<Record<CustomerClass, Partial<Record<RuleCode, RuleSettings>>>>;

/** Per-customer overrides (stored by the alarms module): any field of any rule; tiers replace the class tiers. */
export type RuleOverrides = Partial<Record<RuleCode, Partial<RuleSettings>>>;

