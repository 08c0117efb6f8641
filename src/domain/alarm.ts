import type { CustomerClass } from './customer-class.js';

/** Highest first (domain.md 6.1). */
export const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export type Phase = 'A' | 'B' | 'C';

/** The customer an alarm is linked to, as dispatchers need to see it. */
export interface AlarmCustomer {
  id: string;
  name: string;
  classes: CustomerClass[];
  address: string;
  accountManager: string;
}

export interface Alarm {
  id: string;
  /** '' when the originator is not a meter. */
  meterId: string;
  /**
   * Absent when the meter is the originator; 'concentrator:<id>' for a grouped collection alarm (C1), which
   * concerns all the concentrator's customers and so links to none (customer.id '').
   */
  originator?: string;
  rule: string;
  /** '' when the rule is not per phase. */
  phase: Phase | '';
  severity: Severity;
  active: boolean;
  acknowledged: boolean;
  /** First violating sample. */
  startTs: string;
  /** Last violating sample. */
  lastTs: string;
  clearTs: string | null;
  ackTs: string | null;
  ackBy: string | null;
  ackComment: string | null;
  peakValue: number | null;
  threshold: number | null;
  details: Record<string, unknown>;
  customer: AlarmCustomer;
}
