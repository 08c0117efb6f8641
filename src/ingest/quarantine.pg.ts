import { isUtf8 } from 'node:buffer';
import type { Sql } from '../db/sql.js';
import type { QuarantineRow, QuarantineStore } from './quarantine.js';

export function createPgQuarantineStore(sql: Sql): QuarantineStore {
  return {
    async write(entries) {
      if (entries.length === 0) return;
      await sql.query(
        `INSERT INTO quarantine (id, received_at, topic, client_id, meter_id, reason, detail, payload, payload_bytes)
         SELECT id, to_timestamp(ms / 1000.0), topic, client_id, meter_id, reason, detail, decode(payload, 'hex'), bytes
         FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
           AS u(id, ms, topic, client_id, meter_id, reason, detail, payload, bytes)
         ON CONFLICT (id) DO NOTHING`,
        [
          entries.map((e) => e.id),
          entries.map((e) => e.receivedAtMs),
          entries.map((e) => e.topic),
          entries.map((e) => e.clientId),
          entries.map((e) => e.meterId),
          entries.map((e) => e.reason),
          entries.map((e) => e.detail),
          // hex survives both drivers' array encodings unchanged, NUL bytes included.
          entries.map((e) => e.payload.toString('hex')),
          entries.map((e) => e.payloadBytes),
        ],
      );
    },

    async list({ limit, reason, meterId }) {
      const res = await sql.query<{
        id: string; received_at: Date; topic: string; client_id: string | null; meter_id: string | null;
        reason: string; detail: string; payload: Uint8Array; payload_bytes: number;
      }>(
        `SELECT * FROM quarantine
         WHERE ($2::text IS NULL OR reason = $2) AND ($3::text IS NULL OR meter_id = $3)
         ORDER BY received_at DESC, id DESC LIMIT $1`,
        [limit, reason ?? null, meterId ?? null],
      );
      return res.rows.map((r): QuarantineRow => {
        const payload = Buffer.from(r.payload);
        const text = isUtf8(payload);
        return {
          id: r.id,
          receivedAt: new Date(r.received_at).toISOString(),
          topic: r.topic,
          clientId: r.client_id,
          meterId: r.meter_id,
          reason: r.reason,
          detail: r.detail,
          payload: text ? payload.toString('utf8') : null,
          payloadBase64: text ? null : payload.toString('base64'),
          payloadBytes: r.payload_bytes,
          truncated: payload.length < r.payload_bytes,
        };
      });
    },
  };
}
