import type { Phase, Severity } from '../domain/alarm.js';
import type { StepKind } from './counter.js';
import type { RuleCode } from './settings.js';

/** What rule evaluation decided about one (meter, rule, phase); the alarm store turns it into alarm rows. */
export interface Transition {
  kind: StepKind;
  /** '' for an alarm on another originator (see originator). */
  meterId: string;
  /**
   * Absent: the meter is the originator. 'concentrator:<id>' for a grouped collection alarm (C1) of a
   * concentrator whose meters are all silent: one alarm for one problem, with no customer.
   */
  originator?: string;
  rule: RuleCode;
  phase: Phase | '';
  severity: Severity;
  /** First violating sample of the condition (domain.md decision 6). */
  startTsMs: number;
  /** Last violating sample. */
  lastTsMs: number;
  /** The sample that caused the transition (for 'clear', the clear instant). */
  atTsMs: number;
  value: number;
  peakValue: number;
  /** The limit of the current severity: volts for voltage rules, % of contract capacity for O1. */
  threshold: number;
  details: Record<string, unknown>;
}
