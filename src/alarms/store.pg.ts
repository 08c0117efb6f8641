import type { Sql } from '../db/sql.js';
import { applyTransitions } from './apply.pg.js';
import { isAlarmId, SELECT_ALARM, toAlarm, writeRecords, type AlarmRow } from './alarm-row.pg.js';
import { listEvents, recordEvents } from './events.pg.js';
import { acknowledge, clearManually } from './lifecycle.js';
import type { AlarmChange, AlarmFilter, AlarmStore, ClearResult, StoredAlarm } from './store.js';

const MAX_LIMIT = 1000;

async function getWith(q: Sql, id: string, lock = false): Promise<StoredAlarm | undefined> {
  if (!isAlarmId(id)) return undefined;
  const res = await q.query<AlarmRow>(`${SELECT_ALARM} WHERE a.id = $1::bigint${lock ? ' FOR UPDATE OF a' : ''}`, [id]);
  return res.rows[0] ? toAlarm(res.rows[0]) : undefined;
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
        await writeRecords(tx, [{ id, record: result.record }]);
        await recordEvents(tx, [{ alarmId: id, type: 'acknowledged', actor: by, detail: { comment } }]);
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
        await writeRecords(tx, [{ id, record: result.record }]);
        await recordEvents(tx, [{ alarmId: id, type: 'cleared', actor: by, detail: { manual: true, comment, severity: alarm.severity } }]);
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
      return sql.transaction((tx) => applyTransitions(tx, transitions, contexts));
    },
  };
}
