import type { Sql } from '../db/sql.js';
import type { Transition } from '../rules/transition.js';
import { isAlarmId, SELECT_ALARM, toAlarm, writeRecord, type AlarmRow } from './alarm-row.pg.js';
import { listEvents, recordEvent } from './events.pg.js';
import { acknowledge, applyTransition, clearManually, type AlarmRecord } from './lifecycle.js';
import type { AlarmChange, AlarmFilter, AlarmStore, ClearResult, StoredAlarm } from './store.js';

const MAX_LIMIT = 1000;

/** The originator an alarm is keyed by (migration 010): the meter unless the transition names another. */
const keyOf = (t: Transition) => t.originator ?? t.meterId;

async function insertOpen(tx: Sql, t: Transition, customerId: string, rec: AlarmRecord): Promise<string | undefined> {
  const res = await tx.query<{ id: string }>(
    `INSERT INTO alarms (meter_id, customer_id, rule, phase, severity, active, acknowledged, start_ts, last_ts,
       peak_value, threshold, details, originator)
     SELECT $1, $2, $3, $4, $5, true, false, $6, $7, $8, $9, $10::jsonb, $11
     WHERE NOT EXISTS (SELECT 1 FROM alarms WHERE coalesce(originator, meter_id) = $12 AND rule = $3 AND phase = $4 AND start_ts = $6)
     ON CONFLICT ((coalesce(originator, meter_id)), rule, phase) WHERE active DO NOTHING
     RETURNING id::text AS id`,
    [t.meterId, customerId, t.rule, t.phase, rec.severity, rec.startTs, rec.lastTs, rec.peakValue, rec.threshold,
      JSON.stringify(rec.details), t.originator ?? null, keyOf(t)],
  );
  return res.rows[0]?.id;
}

async function getWith(q: Sql, id: string, lock = false): Promise<StoredAlarm | undefined> {
  if (!isAlarmId(id)) return undefined;
  const res = await q.query<AlarmRow>(`${SELECT_ALARM} WHERE a.id = $1::bigint${lock ? ' FOR UPDATE OF a' : ''}`, [id]);
  return res.rows[0] ? toAlarm(res.rows[0]) : undefined;
}

/** The open alarm of the transition's key, else the newest closed one (for the manual-clear check). */
async function latestAlarm(q: Sql, t: Transition): Promise<StoredAlarm | undefined> {
  const res = await q.query<AlarmRow>(
    `${SELECT_ALARM} WHERE coalesce(a.originator, a.meter_id) = $1 AND a.rule = $2 AND a.phase = $3
     ORDER BY a.active DESC, a.start_ts DESC, a.id DESC LIMIT 1 FOR UPDATE OF a`,
    [keyOf(t), t.rule, t.phase],
  );
  return res.rows[0] ? toAlarm(res.rows[0]) : undefined;
}

async function applyOne(tx: Sql, t: Transition, customerId: string): Promise<AlarmChange | undefined> {
  const latest = await latestAlarm(tx, t);
  const open = latest?.active ? latest : undefined;
  const result = applyTransition(open, t, open ? undefined : latest);
  if (!result) return undefined;
  let id = open?.id;
  if (id) await writeRecord(tx, id, result.record);
  else {
    id = await insertOpen(tx, t, customerId, result.record);
    // Nothing inserted: this occurrence was recorded before (a replay) or another worker just opened it.
    if (!id) return undefined;
  }
  await recordEvent(tx, id, result.change, 'rules', {
    severity: result.record.severity, previousSeverity: open?.severity ?? null,
    sampleTs: new Date(t.atTsMs).toISOString(), value: t.value, threshold: t.threshold,
  });
  const alarm = await getWith(tx, id);
  return alarm && { change: result.change, alarm };
}

export function createAlarmStorePg(sql: Sql): AlarmStore {
  return {
    async list(filter: AlarmFilter): Promise<StoredAlarm[]> {
      const state = filter.state ?? 'open';
      const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? 100)), MAX_LIMIT);
      const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
      const after = filter.after;
      const res = await sql.query<AlarmRow>(
        `${SELECT_ALARM}
         WHERE ($1 = 'all' OR ($1 = 'open' AND a.active) OR ($1 = 'cleared' AND NOT a.active))
           AND ($2::text[] IS NULL OR c.classes && $2::text[])
           AND ($3::text[] IS NULL OR a.severity = ANY($3::text[]))
           AND ($4::text IS NULL OR a.customer_id = $4)
           AND ($5::text IS NULL OR a.meter_id = $5)
           AND ($6::text IS NULL OR a.rule = $6)
           AND ($7::timestamptz IS NULL OR a.start_ts >= $7::timestamptz)
           AND ($8::timestamptz IS NULL OR a.start_ts < $8::timestamptz)
           AND ($9::boolean IS NULL OR (a.active, a.start_ts, a.id) < ($9::boolean, $10::timestamptz, $11::bigint))
         ORDER BY a.active DESC, a.start_ts DESC, a.id DESC
         LIMIT $12`,
        [state, filter.classes ?? null, filter.severities ?? null, filter.customerId ?? null, filter.meterId ?? null,
          filter.rule ?? null, iso(filter.fromMs), iso(filter.toMs), after?.active ?? null, after?.startTs ?? null,
          after?.id ?? null, limit],
      );
      return res.rows.map(toAlarm);
    },

    get: (id) => getWith(sql, id),

    acknowledge(id: string, by: string, comment: string): Promise<AlarmChange | undefined> {
      return sql.transaction(async (tx) => {
        const alarm = await getWith(tx, id, true);
        if (!alarm) return undefined;
        const result = acknowledge(alarm, by, comment, Date.now());
        if (!result) return { change: 'acknowledged' as const, alarm };
        await writeRecord(tx, id, result.record);
        await recordEvent(tx, id, 'acknowledged', by, { comment });
        const after = await getWith(tx, id);
        return after && { change: 'acknowledged' as const, alarm: after };
      });
    },

    clear(id: string, by: string, comment: string): Promise<ClearResult> {
      return sql.transaction(async (tx): Promise<ClearResult> => {
        const alarm = await getWith(tx, id, true);
        if (!alarm) return { ok: false, reason: 'not-found' };
        const result = clearManually(alarm, by, comment, Date.now());
        if (!result) return { ok: false, reason: 'not-active', alarm };
        await writeRecord(tx, id, result.record);
        await recordEvent(tx, id, 'cleared', by, { manual: true, comment, severity: alarm.severity });
        const after = (await getWith(tx, id)) as StoredAlarm;
        return { ok: true, change: { change: 'cleared', alarm: after } };
      });
    },

    async history(id: string) {
      if (!(await getWith(sql, id))) return undefined;
      return listEvents(sql, id);
    },

    async openForCustomer(customerId: string): Promise<StoredAlarm[]> {
      const res = await sql.query<AlarmRow>(`${SELECT_ALARM} WHERE a.customer_id = $1 AND a.active ORDER BY a.start_ts DESC, a.id DESC`, [
        customerId,
      ]);
      return res.rows.map(toAlarm);
    },

    async apply(transitions, contexts): Promise<AlarmChange[]> {
      if (transitions.length === 0) return [];
      return sql.transaction(async (tx) => {
        const changes: AlarmChange[] = [];
        for (const t of transitions) {
          // An alarm on another originator (a concentrator) concerns many customers and links to none.
          const ctx = t.originator === undefined ? contexts.get(t.meterId) : undefined;
          if (t.originator === undefined && !ctx) throw new Error(`no meter context for ${t.meterId}`);
          const change = await applyOne(tx, t, ctx?.customer.id ?? '');
          if (change) changes.push(change);
        }
        return changes;
      });
    },
  };
}
