import { severityRank, type Alarm } from '../domain/alarm.js';
import type { Transition } from '../rules/transition.js';

/** ThingsBoard alarm status (domain.md 6.1): clearing and acknowledging are independent. */
export type AlarmStatus = 'ACTIVE_UNACK' | 'ACTIVE_ACK' | 'CLEARED_UNACK' | 'CLEARED_ACK';

export type ChangeKind = 'created' | 'escalated' | 'deescalated' | 'updated' | 'cleared' | 'acknowledged';

/** Who cleared an alarm by hand (domain.md 6.3); all null / false for an alarm the rule cleared or that is open. */
export interface ManualClear {
  clearedBy: string | null;
  clearComment: string | null;
  manualClear: boolean;
}

/** The mutable part of an alarm row: what a transition, an acknowledgement or a manual clear can change. */
export type AlarmRecord = Pick<
  Alarm,
  | 'severity' | 'active' | 'acknowledged' | 'startTs' | 'lastTs' | 'clearTs' | 'ackTs' | 'ackBy' | 'ackComment'
  | 'peakValue' | 'threshold' | 'details'
> & ManualClear;

export interface LifecycleResult {
  record: AlarmRecord;
  change: ChangeKind;
}

export function alarmStatus(a: Pick<AlarmRecord, 'active' | 'acknowledged'>): AlarmStatus {
  return `${a.active ? 'ACTIVE' : 'CLEARED'}_${a.acknowledged ? 'ACK' : 'UNACK'}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

function raised(t: Transition): AlarmRecord {
  return {
    severity: t.severity, active: true, acknowledged: false, startTs: iso(t.startTsMs), lastTs: iso(t.lastTsMs),
    clearTs: null, ackTs: null, ackBy: null, ackComment: null, peakValue: t.peakValue, threshold: t.threshold,
    details: { ...t.details, value: t.value }, clearedBy: null, clearComment: null, manualClear: false,
  };
}

/**
 * domain.md 6.3: after a manual clear the rule may re-raise only once NORMAL was observed again. The rule
 * engine says so by a fresh 'raise' (its counter went inactive, then active); any other transition, or a
 * replayed raise of the same occurrence, belongs to the condition the user already cleared.
 */
function reopens(lastClosed: Pick<AlarmRecord, 'manualClear' | 'startTs'> | undefined, t: Transition): boolean {
  if (!lastClosed?.manualClear) return true;
  return t.kind === 'raise' && t.startTsMs !== Date.parse(lastClosed.startTs);
}

/**
 * Applies a rule transition to the open alarm of its (meter, rule, phase), if any. Undefined when nothing
 * changes, which is what a replayed transition yields: clear without an open alarm, update with nothing new.
 * The change is derived from the records, not from the transition kind, so a replayed 'raise' onto the alarm
 * it already created is at most an update. lastClosed is the newest closed alarm of the same key, needed
 * only when there is no open one.
 */
export function applyTransition(
  open: AlarmRecord | undefined,
  t: Transition,
  lastClosed?: Pick<AlarmRecord, 'manualClear' | 'startTs'>,
): LifecycleResult | undefined {
  if (!open) return t.kind === 'clear' || !reopens(lastClosed, t) ? undefined : { record: raised(t), change: 'created' };
  if (t.kind === 'clear') {
    return { record: { ...open, active: false, clearTs: iso(t.atTsMs), details: { ...open.details, ...t.details } }, change: 'cleared' };
  }
  const lastTs = Date.parse(open.lastTs) >= t.lastTsMs ? open.lastTs : iso(t.lastTsMs);
  const record: AlarmRecord = {
    ...open,
    severity: t.severity,
    lastTs,
    peakValue: t.peakValue,
    threshold: t.threshold,
    details: { ...open.details, ...t.details, value: t.value },
  };
  const rankDelta = severityRank(t.severity) - severityRank(open.severity);
  if (rankDelta < 0) return { record, change: 'escalated' };
  if (rankDelta > 0) return { record, change: 'deescalated' };
  if (lastTs !== open.lastTs || t.peakValue !== open.peakValue || t.threshold !== open.threshold) {
    return { record, change: 'updated' };
  }
  return undefined;
}

/** The first acknowledgement sticks; acknowledging again changes nothing. */
export function acknowledge(a: AlarmRecord, by: string, comment: string, atMs: number): LifecycleResult | undefined {
  if (a.acknowledged) return undefined;
  return { record: { ...a, acknowledged: true, ackTs: iso(atMs), ackBy: by, ackComment: comment }, change: 'acknowledged' };
}

/** domain.md 6.3: a user clears an active alarm by hand; the acknowledgement stays as it was. */
export function clearManually(a: AlarmRecord, by: string, comment: string, atMs: number): LifecycleResult | undefined {
  if (!a.active) return undefined;
  return {
    record: { ...a, active: false, clearTs: iso(atMs), clearedBy: by, clearComment: comment, manualClear: true },
    change: 'cleared',
  };
}
