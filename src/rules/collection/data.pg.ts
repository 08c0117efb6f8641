import type { Severity } from '../../domain/alarm.js';
import type { CustomerClass } from '../../domain/customer-class.js';
import type { Sql } from '../../db/sql.js';
import { CURVE_KINDS, type CurveKindName } from './plan.js';

/** Every meter of the archive with what the collection checks need of it. */
export interface ArchivedMeter {
  meterId: string;
  customerId: string;
  classes: CustomerClass[];
  concentratorId: string | null;
}

export async function loadArchivedMeters(sql: Sql): Promise<ArchivedMeter[]> {
  const res = await sql.query<{ id: string; customer_id: string; classes: string[]; concentrator_id: string | null }>(
    'SELECT m.id, m.customer_id, c.classes, m.concentrator_id FROM meters m JOIN customers c ON c.id = m.customer_id',
  );
  return res.rows.map((r) => ({ meterId: r.id, customerId: r.customer_id, classes: r.classes as CustomerClass[], concentratorId: r.concentrator_id }));
}

/**
 * Per meter, its newest freeze with a total register in (fromMs, toMs]. An all-filler (0xEE) freeze is stored
 * with a null total: it is not a reading (domain.md decision 5).
 */
export async function latestFreezes(sql: Sql, fromMs: number, toMs: number): Promise<Map<string, number>> {
  const res = await sql.query<{ meter_id: string; ts: Date | string }>(
    `SELECT meter_id, max(ts) AS ts FROM telemetry_reading
     WHERE ts > $1::timestamptz AND ts <= $2::timestamptz AND total IS NOT NULL GROUP BY meter_id`,
    [new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return new Map(res.rows.map((r) => [r.meter_id, new Date(r.ts).getTime()]));
}

// A point counts when it holds at least one value: an all-null point is a missing one.
const CURVE_SOURCES: Record<CurveKindName, { table: string; present: string }> = {
  voltage: { table: 'telemetry_voltage', present: 'coalesce(a, b, c) IS NOT NULL' },
  current: { table: 'telemetry_current', present: 'coalesce(a, b, c) IS NOT NULL' },
  load: { table: 'telemetry_load', present: 'p IS NOT NULL' },
};

/** Per kind, per meter: curve points with a value in [startMs, endMs). One query per kind. */
export async function curvePointCounts(sql: Sql, startMs: number, endMs: number): Promise<Record<CurveKindName, Map<string, number>>> {
  const out = {} as Record<CurveKindName, Map<string, number>>;
  for (const kind of CURVE_KINDS) {
    const { table, present } = CURVE_SOURCES[kind];
    const res = await sql.query<{ meter_id: string; n: number }>(
      `SELECT meter_id, count(*)::int AS n FROM ${table}
       WHERE ts >= $1::timestamptz AND ts < $2::timestamptz AND ${present} GROUP BY meter_id`,
      [new Date(startMs).toISOString(), new Date(endMs).toISOString()],
    );
    out[kind] = new Map(res.rows.map((r) => [r.meter_id, r.n]));
  }
  return out;
}

/** Open C1/C2 alarms as 'originatorKey|rule' → severity (plan.ts openKey). */
export async function openCollectionAlarms(sql: Sql): Promise<Map<string, Severity>> {
  const res = await sql.query<{ key: string; rule: string; severity: Severity }>(
    `SELECT coalesce(originator, meter_id) AS key, rule, severity FROM alarms WHERE active AND rule IN ('C1', 'C2')`,
  );
  return new Map(res.rows.map((r) => [`${r.key}|${r.rule}`, r.severity]));
}
