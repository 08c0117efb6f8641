import type { Sql } from '../db/sql.js';
import type { MeterRuleState } from './evaluate.js';

// Namespace of the per-meter advisory locks (any constant no other loadwatch lock uses).
const RULE_LOCK_CLASS = 4_207_312;

/**
 * Serialises evaluations of the same meters across workers until the transaction ends. Locks are taken in
 * one sorted order so two batches sharing meters cannot deadlock.
 */
export async function lockMeters(tx: Sql, meterIds: readonly string[]): Promise<void> {
  await tx.query(
    `SELECT count(pg_advisory_xact_lock($2, k)) FROM (SELECT DISTINCT hashtext(m) AS k FROM unnest($1::text[]) m ORDER BY k) s`,
    [meterIds, RULE_LOCK_CLASS],
  );
}

/** rule_state of these meters, in one query: one row per meter holding every (rule, phase) state. */
export async function loadStates(tx: Sql, meterIds: readonly string[]): Promise<Map<string, MeterRuleState>> {
  const res = await tx.query<{ meter_id: string; state: unknown }>('SELECT meter_id, state FROM rule_state WHERE meter_id = ANY($1::text[])', [meterIds]);
  const out = new Map<string, MeterRuleState>();
  for (const r of res.rows) out.set(r.meter_id, (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as MeterRuleState);
  return out;
}

export interface StateRow {
  meterId: string;
  state: MeterRuleState;
}

/** Upserts the changed meters' states in one query. */
export async function saveStates(tx: Sql, rows: readonly StateRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rule_state (meter_id, state, updated_at)
     SELECT m, s::jsonb, now() FROM unnest($1::text[], $2::text[]) AS u(m, s)
     ON CONFLICT (meter_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
    [rows.map((r) => r.meterId), rows.map((r) => JSON.stringify(r.state))],
  );
}
