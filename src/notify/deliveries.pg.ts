import type { Sql } from '../db/sql.js';
import type { AttemptRecord, Delivery, DeliveryStatus, DeliveryStore, DueDelivery } from './store.js';

interface Row {
  id: string;
  subscription_id: string;
  alarm_id: string;
  change: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const SELECT = `SELECT id, subscription_id, alarm_id, change, status, attempts, last_status_code, last_latency_ms, last_error,
  created_at, updated_at FROM notify_deliveries`;

const iso = (d: Date | string) => new Date(d).toISOString();

function toDelivery(r: Row): Delivery {
  return {
    id: r.id, subscriptionId: r.subscription_id, alarmId: r.alarm_id, change: r.change, status: r.status,
    attempts: r.attempts, lastStatusCode: r.last_status_code, lastLatencyMs: r.last_latency_ms, lastError: r.last_error,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

export function createDeliveryStorePg(sql: Sql): DeliveryStore {
  return {
    async add(deliveries, firstAttemptAt) {
      if (deliveries.length === 0) return [];
      await sql.query(
        `INSERT INTO notify_deliveries (id, subscription_id, alarm_id, change, body, next_attempt_at)
         SELECT d.id, d.subscription_id, d.alarm_id, d.change, d.body, $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS d(id text, subscription_id text, alarm_id text, change text, body text)
         -- A subscription deleted meanwhile has nothing to receive.
         WHERE EXISTS (SELECT 1 FROM notify_subscriptions s WHERE s.id = d.subscription_id)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(deliveries.map((d) => ({ id: d.id, subscription_id: d.subscriptionId, alarm_id: d.alarmId, change: d.change, body: d.body }))), firstAttemptAt],
      );
      const res = await sql.query<{ id: string }>(`SELECT id FROM notify_deliveries WHERE id = ANY($1::text[]) AND status = 'pending'`, [
        deliveries.map((d) => d.id),
      ]);
      return res.rows.map((r) => r.id);
    },

    async due(id) {
      const res = await sql.query<{ id: string; url: string; secret: string; body: string; status: DeliveryStatus; cycle_attempts: number }>(
        `SELECT d.id, s.url, s.secret, d.body, d.status, d.cycle_attempts
         FROM notify_deliveries d JOIN notify_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1`,
        [id],
      );
      const r = res.rows[0];
      return r && ({ id: r.id, url: r.url, secret: r.secret, body: r.body, status: r.status, cycleAttempts: r.cycle_attempts } satisfies DueDelivery);
    },

    async recordAttempt(id, o) {
      await sql.transaction(async (tx) => {
        const res = await tx.query<{ attempts: number }>(
          `UPDATE notify_deliveries SET attempts = attempts + 1, cycle_attempts = cycle_attempts + 1, status = $2,
             last_status_code = $3, last_latency_ms = $4, last_error = $5, next_attempt_at = $6, updated_at = now()
           WHERE id = $1 RETURNING attempts`,
          [id, o.status, o.statusCode, Math.round(o.latencyMs), o.error, o.nextAttemptAt],
        );
        if (res.rows.length === 0) return;
        await tx.query(`INSERT INTO notify_attempts (delivery_id, attempt, status_code, latency_ms, error) VALUES ($1, $2, $3, $4, $5)`, [
          id, res.rows[0].attempts, o.statusCode, Math.round(o.latencyMs), o.error,
        ]);
      });
    },

    async list(subscriptionId, filter) {
      const res = await sql.query<Row>(
        `${SELECT} WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
         ORDER BY created_at DESC, id LIMIT $3`,
        [subscriptionId, filter.status ?? null, filter.limit],
      );
      return res.rows.map(toDelivery);
    },

    async get(subscriptionId, deliveryId) {
      const res = await sql.query<Row>(`${SELECT} WHERE subscription_id = $1 AND id = $2`, [subscriptionId, deliveryId]);
      return res.rows[0] && toDelivery(res.rows[0]);
    },

    async attempts(deliveryId) {
      const res = await sql.query<{ attempt: number; at: Date | string; status_code: number | null; latency_ms: number; error: string | null }>(
        'SELECT attempt, at, status_code, latency_ms, error FROM notify_attempts WHERE delivery_id = $1 ORDER BY attempt',
        [deliveryId],
      );
      return res.rows.map((r): AttemptRecord => ({ attempt: r.attempt, at: iso(r.at), statusCode: r.status_code, latencyMs: r.latency_ms, error: r.error }));
    },

    async revive(subscriptionId, deliveryId, firstAttemptAt) {
      const res = await sql.query(
        `UPDATE notify_deliveries SET status = 'pending', cycle_attempts = 0, next_attempt_at = $3, updated_at = now()
         WHERE id = $2 AND subscription_id = $1 AND status = 'dead'`,
        [subscriptionId, deliveryId, firstAttemptAt],
      );
      return res.rowCount > 0;
    },

    async pending(dueBy, limit) {
      const res = await sql.query<{ id: string }>(
        `SELECT id FROM notify_deliveries WHERE status = 'pending' AND ($1::timestamptz IS NULL OR next_attempt_at <= $1)
         ORDER BY created_at, id LIMIT $2`,
        [dueBy, limit],
      );
      return res.rows.map((r) => r.id);
    },
  };
}
