import type { Sql } from '../db/sql.js';
import type { AlarmEvent } from './store.js';

export interface NewEvent {
  alarmId: string;
  type: string;
  actor: string;
  detail: Record<string, unknown>;
}

/** Appends lines to alarms' histories (domain.md 6.3 audit), in one statement and in the order given. */
export async function recordEvents(tx: Sql, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO alarm_events (alarm_id, type, actor, detail)
     SELECT (e->>'alarmId')::bigint, e->>'type', e->>'actor', (e->'detail')::jsonb
     FROM json_array_elements($1::json) WITH ORDINALITY AS x(e, o) ORDER BY o`,
    [JSON.stringify(events)],
  );
}

/**
 * In the order written: writes to one alarm hold its row lock, so id order is transition order, whereas `at`
 * (now(), the transaction start) can tie or, across concurrent transactions, disagree.
 */
export async function listEvents(sql: Sql, alarmId: string): Promise<AlarmEvent[]> {
  const res = await sql.query<{ id: string; at: Date | string; type: string; actor: string; detail: Record<string, unknown> | string }>(
    // e.id, not id: a bare name in ORDER BY is the output column, here the id as text ('10' before '9').
    'SELECT e.id::text AS id, e.at, e.type, e.actor, e.detail FROM alarm_events e WHERE e.alarm_id = $1::bigint ORDER BY e.id',
    [alarmId],
  );
  return res.rows.map((r) => ({
    id: r.id, at: new Date(r.at).toISOString(), type: r.type, actor: r.actor,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
  }));
}
