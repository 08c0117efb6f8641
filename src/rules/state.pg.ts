import type { Sql } from '../db/sql.js';
import type { MeterRuleState } from './evaluate.js';
import { restoreState } from './state-codec.js';

// Namespace of the per-meter advisory locks (any constant no other loadwatch lock uses).
const RULE_LOCK_CLASS = 4_207_312;

/**
 * Serialises evaluations that write and snapshot writes of the same meters across workers until the transaction
 * ends (locks taken in one sorted order, so two batches sharing meters cannot deadlock), then returns the stored
 * version of each meter whose version is not the one expected of it (movedVersions), read after the locks.
 */
export async function lockMeters(tx: Sql, meterIds: readonly string[], expected: (meterId: string) => number | undefined = () => undefined): Promise<Map<string, number>> {
  await tx.query(
    `SELECT count(pg_advisory_xact_lock($2, k)) FROM (SELECT DISTINCT hashtext(m) AS k FROM unnest($1::text[]) m ORDER BY k) s`,
    [meterIds, RULE_LOCK_CLASS],
  );
  // A statement of its own: one statement's snapshot is taken before its first lock, and could miss a version
  // committed by the transaction that held the lock.
  return movedVersions(tx, meterIds, expected);
}

/**
 * The stored version (absent: no row, version 0) of each meter whose version is not the one expected of it; a
 * meter expected at undefined is always returned. Only moved meters come back: a worker that alone evaluates its
 * meters reads no row per meter per batch.
 */
export async function movedVersions(sql: Sql, meterIds: readonly string[], expected: (meterId: string) => number | undefined): Promise<Map<string, number>> {
  const res = await sql.query<{ meter_id: string; version: string | number }>(
    `SELECT u.m AS meter_id, coalesce(r.version, 0) AS version
     FROM unnest($1::text[], $2::bigint[]) AS u(m, v) LEFT JOIN rule_state r ON r.meter_id = u.m
     WHERE u.v IS NULL OR coalesce(r.version, 0) <> u.v`,
    [meterIds, meterIds.map((id) => expected(id) ?? null)],
  );
  return new Map(res.rows.map((r) => [r.meter_id, Number(r.version)]));
}

/** rule_state of these meters, in one query: one row per meter holding every (rule, phase) state. */
export async function loadStates(tx: Sql, meterIds: readonly string[]): Promise<Map<string, MeterRuleState>> {
  const res = await tx.query<{ meter_id: string; state: unknown }>('SELECT meter_id, state FROM rule_state WHERE meter_id = ANY($1::text[])', [meterIds]);
  const out = new Map<string, MeterRuleState>();
  for (const r of res.rows) out.set(r.meter_id, restoreState((typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as Record<string, unknown>));
  return out;
}

export interface StateRow {
  meterId: string;
  /** The state as JSON (snapshotState, state-codec.ts). */
  json: string;
  version: number;
}

/**
 * Upserts these meters' states with their new versions in one query (the caller holds their locks). The states
 * travel as one JSON object keyed by meter, so the driver does not escape each as an array element.
 */
export async function saveStates(tx: Sql, rows: readonly StateRow[]): Promise<void> {
  if (rows.length === 0) return;
  let doc = '{';
  for (let i = 0; i < rows.length; i++) doc += `${i ? ',' : ''}${JSON.stringify(rows[i].meterId)}:${rows[i].json}`;
  doc += '}';
  await tx.query(
    `INSERT INTO rule_state (meter_id, state, version, updated_at)
     SELECT u.m, j.value, u.v, now() FROM unnest($2::text[], $3::bigint[]) AS u(m, v) JOIN json_each($1::json) AS j ON j.key = u.m
     ON CONFLICT (meter_id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [doc, rows.map((r) => r.meterId), rows.map((r) => r.version)],
  );
}

/**
 * This transaction's commit returns before its WAL reaches the disk. A flush writes rule states in slices of a
 * few dozen meters, each its own transaction: waiting for the disk at every commit put some 200 WAL flushes into
 * a persist of 10,000 meters, and a telemetry commit (an acknowledgement) waits for any flush ahead of it. The
 * caller then makes them all durable with one flushWal.
 */
export async function commitWithoutWaitingForDisk(tx: Sql): Promise<void> {
  await tx.query('SET LOCAL synchronous_commit = off');
}

/**
 * Returns once everything committed before the call is on disk. A transaction that has a transaction id writes a
 * commit record, and with synchronous_commit on (the default) its commit waits until the WAL up to that record is
 * flushed; the WAL is one sequence, so that covers every commit before it, asynchronous ones included.
 */
export async function flushWal(sql: Sql): Promise<void> {
  await sql.transaction((tx) => tx.query('SELECT txid_current()'));
}
