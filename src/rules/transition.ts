import type { Phase, Severity } from '../domain/alarm.js';
import type { StepKind } from './counter.js';
import type { RuleCode } from './settings.js';

/** What rule evaluation decided about one (meter, rule, phase); the alarm store turns it into alarm rows. */
export interface Transition {
  kind: StepKind;
  meterId: string;
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
