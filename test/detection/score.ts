/** Scores raised alarms against the simulator's ground-truth labels, per rule (pure). */
import { DAILY_RULES } from '../../src/rules/rule-codes.js';
import type { AnomalyLabel } from '../../simulators/anomalies.js';

export interface RaisedAlarm {
  rule: string;
  meterId: string;
  phase: string;
  startTsMs: number;
}

export interface RuleScore {
  rule: string;
  /** Labels whose expected rule this is, and how many of them an alarm matched. */
  labels: number;
  detected: number;
  /** Alarms of the rule, and how many match a label that expects (or also expects) the rule. */
  alarms: number;
  truePositives: number;
  recall: number | null;
  precision: number | null;
}

const STEP_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
// Asia/Shanghai, UTC+8 without DST (domain.md decision 4), as the simulator cuts days.
const localDayStartMs = (tsMs: number) => Math.floor((tsMs + 8 * 3_600_000) / DAY_MS) * DAY_MS - 8 * 3_600_000;

export const isDailyRule = (rule: string) => (DAILY_RULES as readonly string[]).includes(rule);

/**
 * An alarm matches a label when the rule is one the label expects, the meter agrees, the phase agrees when both
 * have one, and the alarm's start lies in the labelled window ± one interval: 15 min for curve rules, one day for
 * daily rules (their alarms start at the data date, which a freeze at D+1 00:00 closes).
 */
export function matches(alarm: RaisedAlarm, label: AnomalyLabel, rules: readonly (string | null)[]): boolean {
  if (!rules.includes(alarm.rule) || alarm.meterId !== label.meterId) return false;
  if (alarm.phase !== '' && label.phase !== undefined && alarm.phase !== label.phase) return false;
  const interval = isDailyRule(alarm.rule) ? DAY_MS : STEP_MS;
  const [startMs, endMs] = [Date.parse(label.startTs), Date.parse(label.endTs)];
  if (alarm.startTsMs >= startMs - interval && alarm.startTsMs <= endMs + interval) return true;
  // Low-voltage classes run curve rules in their daily form (V1 compliance): the alarm starts at the local day.
  return alarm.startTsMs === localDayStartMs(startMs) || alarm.startTsMs === localDayStartMs(endMs);
}

export function scoreRules(rules: readonly string[], labels: readonly AnomalyLabel[], alarms: readonly RaisedAlarm[]): RuleScore[] {
  return rules.map((rule) => {
    const own = labels.filter((l) => l.rule === rule);
    const detected = own.filter((l) => alarms.some((a) => matches(a, l, [l.rule]))).length;
    const mine = alarms.filter((a) => a.rule === rule);
    const truePositives = mine.filter((a) => labels.some((l) => matches(a, l, [l.rule, ...(l.alsoRules ?? [])]))).length;
    return {
      rule, labels: own.length, detected, alarms: mine.length, truePositives,
      recall: own.length === 0 ? null : detected / own.length,
      precision: mine.length === 0 ? null : truePositives / mine.length,
    };
  });
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(0)} %`);

export function scoreTable(scores: readonly RuleScore[]): string {
  const rows = scores.map((s) => `| ${s.rule} | ${isDailyRule(s.rule) ? 'daily' : 'curve'} | ${s.labels} | ${s.detected} | ${pct(s.recall)} | ${s.alarms} | ${s.truePositives} | ${pct(s.precision)} |`);
  return ['| Rule | Form | Labels | Detected | Recall | Alarms | Matching | Precision |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
