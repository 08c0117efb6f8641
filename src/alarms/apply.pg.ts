import type { Sql } from '../db/sql.js';
import type { Transition } from '../rules/transition.js';
import { SELECT_ALARM, toAlarm, writeRecords, type AlarmRow } from './alarm-row.pg.js';
import { recordEvents, type NewEvent } from './events.pg.js';
import { foldKey, type FoldedChange, type TouchedAlarm } from './fold.js';
import type { AlarmChange, CustomerOf, StoredAlarm } from './store.js';

/** The transitions of one alarm key: originator (migration 010: the meter unless the transition names another), rule, phase. */
interface KeyWork {
  key: string;
  originator: string;
  rule: string;
  phase: string;
  /** The customer a new alarm links to; '' for an alarm on another originator (a concentrator's concerns many). */
  customerId: string;
  transitions: Transition[];
}

const keyOf = (originator: string, rule: string, phase: string) => `${originator}\u0001${rule}\u0001${phase}`;

/** The open alarm of each key, else its newest closed one (for the manual-clear check), locked in key order. */
async function latestAlarms(tx: Sql, works: readonly KeyWork[]): Promise<Map<string, StoredAlarm>> {
  const res = await tx.query<AlarmRow>(
    `SELECT l.* FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(originator, rule, phase, o)
     CROSS JOIN LATERAL (${SELECT_ALARM}
       WHERE coalesce(a.originator, a.meter_id) = k.originator AND a.rule = k.rule AND a.phase = k.phase
       ORDER BY a.active DESC, a.start_ts DESC, a.id DESC LIMIT 1 FOR UPDATE OF a) l
     ORDER BY k.o`,
    [works.map((w) => w.originator), works.map((w) => w.rule), works.map((w) => w.phase)],
  );
  return new Map(res.rows.map((r) => [keyOf(r.originator ?? r.meter_id, r.rule, r.phase), toAlarm(r)]));
}

/**
 * Inserts the alarms these keys open, as raised, unless the occurrence was recorded before (a replayed raise of
 * one that has since cleared) or another worker has just opened one of the key. Returns the ids by key.
 */
async function insertOpened(tx: Sql, opened: readonly { work: KeyWork; alarm: TouchedAlarm }[]): Promise<Map<string, string>> {
  if (opened.length === 0) return new Map();
  const rows = opened.map(({ work, alarm }) => {
    const raise = alarm.changes[0].transition;
    const r = (alarm.created as NonNullable<TouchedAlarm['created']>).record;
    return {
      meter_id: raise.meterId, customer_id: work.customerId, rule: work.rule, phase: work.phase, severity: r.severity,
      start_ts: r.startTs, last_ts: r.lastTs, peak_value: r.peakValue, threshold: r.threshold, details: r.details, originator: raise.originator ?? null,
    };
  });
  const res = await tx.query<{ id: string; originator: string; rule: string; phase: string }>(
    `INSERT INTO alarms (meter_id, customer_id, rule, phase, severity, active, acknowledged, start_ts, last_ts,
       peak_value, threshold, details, originator)
     SELECT r.meter_id, r.customer_id, r.rule, r.phase, r.severity, true, false, r.start_ts, r.last_ts, r.peak_value,
       r.threshold, r.details, r.originator
     FROM json_to_recordset($1::json) AS r(meter_id text, customer_id text, rule text, phase text, severity text,
       start_ts timestamptz, last_ts timestamptz, peak_value double precision, threshold double precision, details jsonb, originator text)
     WHERE NOT EXISTS (SELECT 1 FROM alarms a WHERE coalesce(a.originator, a.meter_id) = coalesce(r.originator, r.meter_id)
       AND a.rule = r.rule AND a.phase = r.phase AND a.start_ts = r.start_ts)
     ON CONFLICT ((coalesce(originator, meter_id)), rule, phase) WHERE active DO NOTHING
     RETURNING id::text AS id, coalesce(originator, meter_id) AS originator, rule, phase`,
    [JSON.stringify(rows)],
  );
  return new Map(res.rows.map((r) => [keyOf(r.originator, r.rule, r.phase), r.id]));
}

/**
 * Writes rule transitions idempotently, in order, as applying them one at a time would, in a few statements per
 * round whatever their number: the keys' alarms read and locked at once, folded in memory (fold.ts), then the
 * stored ones updated, the new ones inserted (and updated where they changed after their raise) and the events
 * appended, each in one statement. A key takes a further round only to open a second alarm, or when its insert
 * did not happen: what follows it then applies to the alarm stored meanwhile, read again.
 */
export async function applyTransitions(tx: Sql, transitions: readonly Transition[], contexts: ReadonlyMap<string, CustomerOf>): Promise<AlarmChange[]> {
  const order = new Map(transitions.map((t, i) => [t, i]));
  const byKey = new Map<string, KeyWork>();
  for (const t of transitions) {
    const ctx = t.originator === undefined ? contexts.get(t.meterId) : undefined;
    if (t.originator === undefined && !ctx) throw new Error(`no meter context for ${t.meterId}`);
    const originator = t.originator ?? t.meterId;
    const key = keyOf(originator, t.rule, t.phase);
    const work = byKey.get(key);
    if (work) work.transitions.push(t);
    else byKey.set(key, { key, originator, rule: t.rule, phase: t.phase, customerId: ctx?.customer.id ?? '', transitions: [t] });
  }
  // Keys in one order in every transaction, so two writing the same alarms cannot deadlock.
  let pending = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const done: { id: string; change: FoldedChange }[] = [];
  while (pending.length > 0) {
    const latest = await latestAlarms(tx, pending);
    const folds = pending.map((work) => ({ work, ...foldKey(latest.get(work.key), work.transitions) }));
    // Stored alarms first: one a key clears frees the key for the alarm it opens next.
    await writeRecords(tx, folds.flatMap(({ touched }) => touched.flatMap((a) => (a.id === undefined ? [] : [{ id: a.id, record: a.record }]))));
    const ids = await insertOpened(tx, folds.flatMap(({ work, touched }) => touched.filter((a) => a.created).map((alarm) => ({ work, alarm }))));
    const next: KeyWork[] = [];
    const changedSinceRaised: { id: string; record: TouchedAlarm['record'] }[] = [];
    const events: NewEvent[] = [];
    for (const { work, touched, consumed } of folds) {
      let rest = work.transitions.slice(consumed);
      for (const alarm of touched) {
        const id = alarm.id ?? ids.get(work.key);
        if (id === undefined) {
          // Not inserted; it is the key's last alarm of the round (foldKey stops before a second one).
          rest = work.transitions.slice((alarm.created as NonNullable<TouchedAlarm['created']>).at + 1);
          continue;
        }
        if (alarm.created && alarm.record !== alarm.created.record) changedSinceRaised.push({ id, record: alarm.record });
        for (const change of alarm.changes) {
          const t = change.transition;
          events.push({
            alarmId: id, type: change.change, actor: 'rules',
            detail: { severity: change.record.severity, previousSeverity: change.previousSeverity, sampleTs: new Date(t.atTsMs).toISOString(), value: t.value, threshold: t.threshold },
          });
          done.push({ id, change });
        }
      }
      if (rest.length > 0) next.push({ ...work, transitions: rest });
    }
    await writeRecords(tx, changedSinceRaised);
    await recordEvents(tx, events);
    pending = next;
  }
  if (done.length === 0) return [];
  const res = await tx.query<AlarmRow>(`${SELECT_ALARM} WHERE a.id = ANY($1::bigint[])`, [[...new Set(done.map((d) => d.id))]]);
  const stored = new Map(res.rows.map((r) => [r.id, toAlarm(r)]));
  done.sort((a, b) => (order.get(a.change.transition) as number) - (order.get(b.change.transition) as number));
  // Each change carries the alarm as that transition left it: the row read now, with the record of its moment.
  return done.map(({ id, change }) => ({ change: change.change, alarm: { ...(stored.get(id) as StoredAlarm), ...change.record } }));
}
