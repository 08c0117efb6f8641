/** Overview queries on PostgreSQL / PGlite: archive, alarms and telemetry_load in the same database. */
import type { Sql } from '../db/sql.js';
import { completedQuarters, QUARTER_MS, SMALL_CLASSES, type ClassLoadRow, type MapPoint, type OverviewCounts, type OverviewQueries } from './overview.js';

// Each meter's points are averaged per quarter first, so a meter sending several samples in one
// quarter is not summed twice; then per class (unnest) and once for the total ('').
const CLASS_LOAD = `
WITH q AS (
  SELECT l.meter_id, floor(extract(epoch FROM l.ts) * 1000 / ${QUARTER_MS})::bigint * ${QUARTER_MS} AS ts_ms, avg(l.p) AS kw
    FROM telemetry_load l
   WHERE l.ts >= to_timestamp($1::double precision / 1000) AND l.ts < to_timestamp($2::double precision / 1000) AND l.p IS NOT NULL
   GROUP BY 1, 2
), m AS (
  SELECT q.ts_ms, q.kw, c.classes FROM q JOIN meters mt ON mt.id = q.meter_id JOIN customers c ON c.id = mt.customer_id
)
SELECT cls, ts_ms, sum(kw) AS kw FROM (
  SELECT unnest(classes) AS cls, ts_ms, kw FROM m
  UNION ALL
  SELECT '' AS cls, ts_ms, kw FROM m
) x GROUP BY cls, ts_ms ORDER BY cls, ts_ms`;

const ALARMS = `
SELECT cls, a.severity, count(*)::int AS n
  FROM alarms a JOIN customers c ON c.id = a.customer_id, unnest(c.classes) AS cls
 WHERE a.active GROUP BY cls, a.severity`;

const CONCENTRATORS = `
SELECT count(*) FILTER (WHERE online)::int AS online, count(*) FILTER (WHERE NOT online)::int AS offline,
       count(*) FILTER (WHERE online IS NULL)::int AS unknown FROM concentrators`;

const RECEIVED = `
SELECT (SELECT count(*)::int FROM meters) AS meters,
       (SELECT count(DISTINCT (meter_id, floor(extract(epoch FROM l.ts) * 1000 / ${QUARTER_MS})))::int
          FROM telemetry_load l JOIN meters m ON m.id = l.meter_id
         WHERE l.ts >= to_timestamp($1::double precision / 1000) AND l.ts < to_timestamp($2::double precision / 1000)) AS received`;

// Severity order of domain.md decision 6, most severe first.
const MAP_POINTS = `
SELECT c.id, c.name, c.classes, c.lat, c.lon,
       (SELECT a.severity FROM alarms a WHERE a.customer_id = c.id AND a.active
         ORDER BY array_position(ARRAY['CRITICAL','MAJOR','MINOR','WARNING','INDETERMINATE'], a.severity) LIMIT 1) AS worst
  FROM customers c
 WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL AND NOT (c.classes <@ $1::text[])
 ORDER BY c.id`;

export function createOverviewQueriesPg(sql: Sql, utilityTz: string): OverviewQueries {
  return {
    async dayBounds(day) {
      const { rows } = await sql.query<{ start_ms: number | string; end_ms: number | string }>(
        `SELECT extract(epoch FROM ($1::date::timestamp AT TIME ZONE $2)) * 1000 AS start_ms,
                extract(epoch FROM (($1::date + 1)::timestamp AT TIME ZONE $2)) * 1000 AS end_ms`,
        [day, utilityTz],
      );
      return { startMs: Number(rows[0]!.start_ms), endMs: Number(rows[0]!.end_ms) };
    },

    async classLoad(startMs, endMs) {
      const { rows } = await sql.query<{ cls: string; ts_ms: number | string; kw: number | string }>(CLASS_LOAD, [startMs, endMs]);
      return rows.map((r): ClassLoadRow => ({ cls: r.cls, tsMs: Number(r.ts_ms), kw: Number(r.kw) }));
    },

    async counts(day, nowMs) {
      const alarms: OverviewCounts['alarms'] = {};
      for (const r of (await sql.query<{ cls: string; severity: keyof OverviewCounts['alarms'][string]; n: number }>(ALARMS)).rows) {
        (alarms[r.cls] ??= {})[r.severity] = r.n;
      }
      const concentrators = (await sql.query<OverviewCounts['concentrators']>(CONCENTRATORS)).rows[0]!;
      const quarters = completedQuarters(day.startMs, day.endMs, nowMs);
      const got = (await sql.query<{ meters: number; received: number }>(RECEIVED, [day.startMs, day.startMs + quarters * QUARTER_MS])).rows[0]!;
      const expected = got.meters * quarters;
      return {
        alarms,
        concentrators,
        completeness: { expected, received: got.received, share: expected > 0 ? got.received / expected : null },
      };
    },

    async mapPoints() {
      const { rows } = await sql.query<{ id: string; name: string; classes: string[]; lat: number; lon: number; worst: MapPoint['worstSeverity'] }>(
        MAP_POINTS, [SMALL_CLASSES]);
      return rows.map((r): MapPoint => ({ id: r.id, name: r.name, classes: r.classes, lat: r.lat, lon: r.lon, worstSeverity: r.worst }));
    },
  };
}
