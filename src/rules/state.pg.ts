import type { Phase } from '../domain/alarm.js';
import type { Sql } from '../db/sql.js';
import { stateKey, type MeterRuleState } from './evaluate.js';

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

/** rule_state of these meters, in one query. */
export async function loadStates(tx: Sql, meterIds: readonly string[]): Promise<Map<string, MeterRuleState>> {
  const res = await tx.query<{ meter_id: string; rule: string; phase: string; state: unknown }>(
    'SELECT meter_id, rule, phase, state FROM rule_state WHERE meter_id = ANY($1::text[])',
    [meterIds],
  );
  const out = new Map<string, MeterRuleState>();
  for (const r of res.rows) {
    const byKey = out.get(r.meter_id) ?? {};
    byKey[stateKey(r.rule, r.phase as Phase | '')] = typeof r.state === 'string' ? (JSON.parse(r.state) as unknown) : r.state;
    out.set(r.meter_id, byKey);
  }
  return out;
}

export interface StateRow {
  meterId: string;
  rule: string;
  phase: string;
  state: unknown;
}

/** Upserts changed states in one query. */
export async function saveStates(tx: Sql, rows: readonly StateRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rule_state (meter_id, rule, phase, state, updated_at)
     SELECT e->>'meterId', e->>'rule', e->>'phase', e->'state', now() FROM jsonb_array_elements($1::jsonb) e
     ON CONFLICT (meter_id, rule, phase) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(rows)],
  );
}
