import type { Severity } from '../domain/alarm.js';
import type { Transition } from '../rules/transition.js';
import { applyTransition, type AlarmRecord, type ChangeKind } from './lifecycle.js';

/** One transition that changed an alarm: the record it left and the severity before it (null for a creation). */
export interface FoldedChange {
  transition: Transition;
  change: ChangeKind;
  record: AlarmRecord;
  previousSeverity: Severity | null;
}

/**
 * An alarm of one key the transitions changed: one stored before (id) or one they open (created: its record as
 * raised, what is inserted, and the position of the transition that raised it; whether it may exist is the
 * store's to decide), with its record after the last change.
 */
export interface TouchedAlarm {
  id?: string;
  created?: { record: AlarmRecord; at: number };
  record: AlarmRecord;
  changes: FoldedChange[];
}

export interface KeyFold {
  touched: TouchedAlarm[];
  /** How many of the transitions were folded; the rest (from the second alarm it would open on) wait for a next round. */
  consumed: number;
}

/**
 * The transitions of one (originator, rule, phase), in order, applied to its newest stored alarm in memory, as
 * applying them one by one would (lifecycle.ts). Stops before opening a second alarm: whether the first one's
 * insert happens decides what the rest apply to.
 */
export function foldKey(latest: (AlarmRecord & { id: string }) | undefined, transitions: readonly Transition[]): KeyFold {
  const touched: TouchedAlarm[] = [];
  let open: TouchedAlarm | undefined = latest?.active ? { id: latest.id, record: latest, changes: [] } : undefined;
  let lastClosed: AlarmRecord | undefined = latest?.active ? undefined : latest;
  if (open) touched.push(open);
  let consumed = 0;
  for (const t of transitions) {
    const before = open?.record;
    const result = applyTransition(before, t, before ? undefined : lastClosed);
    if (result) {
      if (!open) {
        if (touched.some((a) => a.created)) break;
        open = { created: { record: result.record, at: consumed }, record: result.record, changes: [] };
        touched.push(open);
      }
      open.changes.push({ transition: t, change: result.change, record: result.record, previousSeverity: before?.severity ?? null });
      open.record = result.record;
      if (!result.record.active) {
        lastClosed = result.record;
        open = undefined;
      }
    }
    consumed++;
  }
  return { touched: touched.filter((a) => a.changes.length > 0), consumed };
}
