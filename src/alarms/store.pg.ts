import type { Alarm, Phase, Severity } from '../domain/alarm.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { Sql } from '../db/sql.js';
import type { Transition } from '../rules/transition.js';
import { acknowledge, applyTransition, type AlarmRecord, type LifecycleResult } from './lifecycle.js';
import type { AlarmChange, AlarmFilter, AlarmStore } from './store.js';

interface AlarmRow {
  id: string;
  meter_id: string;
  customer_id: string;
  rule: string;
  phase: string;
  severity: string;
  active: boolean;
  acknowledged: boolean;
  start_ts: Date | string;
  last_ts: Date | string;
  clear_ts: Date | string | null;
  ack_ts: Date | string | null;
  ack_by: string | null;
  ack_comment: string | null;
  peak_value: number | null;
  threshold: number | null;
  details: Record<string, unknown> | string;
  customer_name: string | null;
  customer_classes: string[] | null;
  customer_address: string | null;
  account_manager: string | null;
}

const SELECT = `SELECT a.id::text AS id, a.meter_id, a.customer_id, a.rule, a.phase, a.severity, a.active, a.acknowledged,
  a.start_ts, a.last_ts, a.clear_ts, a.ack_ts, a.ack_by, a.ack_comment, a.peak_value, a.threshold, a.details,
  c.name AS customer_name, c.classes AS customer_classes, c.address AS customer_address, c.account_manager
  FROM alarms a LEFT JOIN customers c ON c.id = a.customer_id`;

const MAX_LIMIT = 1000;
const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: r.id, meterId: r.meter_id, rule: r.rule, phase: r.phase as Phase | '', severity: r.severity as Severity,
    active: r.active, acknowledged: r.acknowledged, startTs: iso(r.start_ts), lastTs: iso(r.last_ts),
    clearTs: isoOrNull(r.clear_ts), ackTs: isoOrNull(r.ack_ts), ackBy: r.ack_by, ackComment: r.ack_comment,
    peakValue: r.peak_value, threshold: r.threshold,
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    customer: {
      id: r.customer_id, name: r.customer_name ?? '', classes: (r.customer_classes ?? []) as CustomerClass[],
      address: r.customer_address ?? '', accountManager: r.account_manager ?? '',
    },
  };
}

/** Ids are bigserial: anything else cannot exist and must not reach a bigint cast. */
const isId = (id: string) => /^\d{1,18}$/.test(id);

async function writeRecord(tx: Sql, id: string, rec: AlarmRecord): Promise<void> {
  await tx.query(
    `UPDATE alarms SET severity = $2, active = $3, acknowledged = $4, last_ts = $5, clear_ts = $6, ack_ts = $7,
       ack_by = $8, ack_comment = $9, peak_value = $10, threshold = $11, details = $12::jsonb, updated_at = now()
     WHERE id = $1::bigint`,
    [id, rec.severity, rec.active, rec.acknowledged, rec.lastTs, rec.clearTs, rec.ackTs, rec.ackBy, rec.ackComment,
      rec.peakValue, rec.threshold, JSON.stringify(rec.details)],
  );
}

async function insertOpen(tx: Sql, t: Transition, customerId: string, rec: AlarmRecord): Promise<string | undefined> {
  const res = await tx.query<{ id: string }>(
    `INSERT INTO alarms (meter_id, customer_id, rule, phase, severity, active, acknowledged, start_ts, last_ts,
       peak_value, threshold, details)
     SELECT $1, $2, $3, $4, $5, true, false, $6, $7, $8, $9, $10::jsonb
     WHERE NOT EXISTS (SELECT 1 FROM alarms WHERE meter_id = $1 AND rule = $3 AND phase = $4 AND start_ts = $6)
     ON CONFLICT (meter_id, rule, phase) WHERE active DO NOTHING
     RETURNING id::text AS id`,
    [t.meterId, customerId, t.rule, t.phase, rec.severity, rec.startTs, rec.lastTs, rec.peakValue, rec.threshold,
      JSON.stringify(rec.details)],
  );
  return res.rows[0]?.id;
}

async function recordEvent(tx: Sql, id: string, type: string, actor: string, detail: Record<string, unknown>): Promise<void> {
  await tx.query(`INSERT INTO alarm_events (alarm_id, type, actor, detail) VALUES ($1::bigint, $2, $3, $4::jsonb)`, [
    id, type, actor, JSON.stringify(detail),
  ]);
}

export function createAlarmStorePg(sql: Sql): AlarmStore {
  async function getWith(q: Sql, id: string, lock = false): Promise<Alarm | undefined> {
    if (!isId(id)) return undefined;
    const res = await q.query<AlarmRow>(`${SELECT} WHERE a.id = $1::bigint${lock ? ' FOR UPDATE OF a' : ''}`, [id]);
    return res.rows[0] ? toAlarm(res.rows[0]) : undefined;
  }

  async function openAlarm(q: Sql, t: Transition): Promise<Alarm | undefined> {
    const res = await q.query<AlarmRow>(
      `${SELECT} WHERE a.meter_id = $1 AND a.rule = $2 AND a.phase = $3 AND a.active FOR UPDATE OF a`,
      [t.meterId, t.rule, t.phase],
    );
    return res.rows[0] ? toAlarm(res.rows[0]) : undefined;
  }

  async function applyOne(tx: Sql, t: Transition, customerId: string): Promise<AlarmChange | undefined> {
    const open = await openAlarm(tx, t);
    const result: LifecycleResult | undefined = applyTransition(open, t);
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

  return {
    async list(filter: AlarmFilter): Promise<Alarm[]> {
      const state = filter.state ?? 'open';
      const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? 100)), MAX_LIMIT);
      const res = await sql.query<AlarmRow>(
        `${SELECT}
         WHERE ($1 = 'all' OR ($1 = 'open' AND a.active) OR ($1 = 'cleared' AND NOT a.active))
           AND ($2::text[] IS NULL OR c.classes && $2::text[])
           AND ($3::text[] IS NULL OR a.severity = ANY($3::text[]))
           AND ($4::text IS NULL OR a.customer_id = $4)
           AND ($5::text IS NULL OR a.meter_id = $5)
           AND ($6::text IS NULL OR a.rule = $6)
         ORDER BY a.active DESC, a.start_ts DESC, a.id DESC
         LIMIT $7`,
        [state, filter.classes ?? null, filter.severities ?? null, filter.customerId ?? null, filter.meterId ?? null,
          filter.rule ?? null, limit],
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

    async openForCustomer(customerId: string): Promise<Alarm[]> {
      const res = await sql.query<AlarmRow>(`${SELECT} WHERE a.customer_id = $1 AND a.active ORDER BY a.start_ts DESC, a.id DESC`, [
        customerId,
      ]);
      return res.rows.map(toAlarm);
    },

    async apply(transitions, contexts): Promise<AlarmChange[]> {
      if (transitions.length === 0) return [];
      return sql.transaction(async (tx) => {
        const changes: AlarmChange[] = [];
        for (const t of transitions) {
          const ctx = contexts.get(t.meterId);
          if (!ctx) throw new Error(`no meter context for ${t.meterId}`);
          const change = await applyOne(tx, t, ctx.customer.id);
          if (change) changes.push(change);
        }
        return changes;
      });
    },
  };
}
