/**
 * Scenario query: load rows into telemetry_load with COPY, then time one meter's 96-point day curve
 * through the API, and in SQL the aggregate day curve (sum per 15-minute bucket) of the largest class and
 * of the whole fleet.
 */
import { Readable } from 'node:stream';
import pg from 'pg';
import { log, phase, round, type Ctx } from './context.js';
import { QUERY_ROWS } from './options.js';
import { psql } from './peers.js';
import { DATABASE_URL } from './service.js';
import { percentile } from './stats.js';
import { loadCopyRows } from './workload.js';

const DAY_MS = 86_400_000;
// Far from the days the ingest scenarios publish into, so the curves are exactly 96 points.
const FIRST_DAY_MS = Date.UTC(2021, 0, 1) - 8 * 3_600_000;

/** The aggregate day curve of one class ($3), or with byClass false of the whole fleet: the largest a class can be. */
const dayCurveSql = (byClass: boolean) => `
  SELECT date_bin('15 minutes', t.ts, $1::timestamptz) AS bucket, sum(t.p) AS p_kw, count(*) AS meters
  FROM telemetry_load t
  JOIN meters m ON m.id = t.meter_id
  JOIN customers c ON c.id = m.customer_id
  WHERE ${byClass ? '$3 = ANY (c.classes) AND ' : ''}t.ts >= $1::timestamptz AND t.ts < $2::timestamptz
  GROUP BY 1 ORDER BY 1`;

export async function query(ctx: Ctx): Promise<void> {
  const { opts, workload } = ctx;
  const meterIds = workload.fleet.meters.map((m) => m.id);
  const days = opts.queryDays;
  const rows = meterIds.length * days * 96;
  await phase(ctx, `query: COPY ${rows} rows`, async () => {
    const started = performance.now();
    const copy = `\\copy ${ctx.schema}.telemetry_load (meter_id, ts, p, q, pf, multiplier) FROM pstdin`;
    // A bulk load makes its days' partitions first, as the service does for each batch (migration 023).
    const [first, last] = [FIRST_DAY_MS, FIRST_DAY_MS + days * DAY_MS].map((ms) => new Date(ms).toISOString().slice(0, 10));
    await psql(['-c', `SET search_path = ${ctx.schema}; SELECT telemetry_ensure_days('load', '${first}', '${last}')`]);
    await psql(['-c', copy], Readable.from(loadCopyRows(meterIds, FIRST_DAY_MS, days)));
    await psql(['-c', `ANALYZE ${ctx.schema}.telemetry_load`]);
    const seconds = (performance.now() - started) / 1000;
    log(ctx, `  ${rows} rows (${meterIds.length} meters x ${days} days x 96) in ${seconds.toFixed(1)} s = ${round(rows / seconds)} rows/s`);
  });
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${ctx.schema}` });
  await client.connect();
  try {
    const total = Number((await client.query('SELECT count(*) AS n FROM telemetry_load')).rows[0].n);
    const biggest = (await client.query<{ cls: string; n: string }>(
      'SELECT cls, count(*) AS n FROM meters m JOIN customers c ON c.id = m.customer_id, unnest(c.classes) cls GROUP BY cls ORDER BY 2 DESC LIMIT 1',
    )).rows[0];
    ctx.results.queryRows = total;
    const dayCurve: number[] = [];
    const classCurve: number[] = [];
    const fleetCurve: number[] = [];
    await phase(ctx, 'query: day curves', async () => {
      const requests = opts.quick ? 40 : 300;
      for (let i = 0; i < requests; i++) {
        const meterId = meterIds[(i * 7919) % meterIds.length];
        const from = FIRST_DAY_MS + ((i * 31) % days) * DAY_MS;
        const t0 = performance.now();
        const res = await fetch(`${ctx.svc.base}/api/meters/${meterId}/series?kind=load&from=${from}&to=${from + DAY_MS}`, { headers: ctx.svc.headers });
        const body = (await res.json()) as { ts?: number[] };
        dayCurve.push(performance.now() - t0);
        if (body.ts?.length !== 96) throw new Error(`day curve of ${meterId} has ${body.ts?.length} points, expected 96`);
      }
      const runs = opts.quick ? 3 : 10;
      for (const [byClass, times] of [[true, classCurve], [false, fleetCurve]] as const) {
        for (let i = 0; i < runs; i++) {
          const from = FIRST_DAY_MS + ((i * 13) % days) * DAY_MS;
          const t0 = performance.now();
          const res = await client.query(dayCurveSql(byClass), [new Date(from), new Date(from + DAY_MS), ...(byClass ? [biggest.cls] : [])]);
          times.push(performance.now() - t0);
          if (res.rows.length !== 96) throw new Error(`${byClass ? 'class' : 'fleet'} day curve has ${res.rows.length} buckets, expected 96`);
        }
      }
    });
    ctx.results.p50DayCurveMs = round(percentile(dayCurve, 50), 1);
    ctx.results.p99DayCurveMs = round(percentile(dayCurve, 99), 1);
    ctx.results.p50ClassDayCurveMs = round(percentile(classCurve, 50), 1);
    ctx.results.p99ClassDayCurveMs = round(percentile(classCurve, 99), 1);
    ctx.results.classDayCurveMeters = Number(biggest.n);
    ctx.results.p50FleetDayCurveMs = round(percentile(fleetCurve, 50), 1);
    ctx.results.p99FleetDayCurveMs = round(percentile(fleetCurve, 99), 1);
    log(ctx, `  ${total} rows in telemetry_load; day curve p50 ${ctx.results.p50DayCurveMs} ms p99 ${ctx.results.p99DayCurveMs} ms (${dayCurve.length} requests);` +
      ` class ${biggest.cls} (${biggest.n} meters) aggregate p50 ${ctx.results.p50ClassDayCurveMs} ms p99 ${ctx.results.p99ClassDayCurveMs} ms (${classCurve.length} runs);` +
      ` the whole fleet's (${meterIds.length} meters) p50 ${ctx.results.p50FleetDayCurveMs} ms p99 ${ctx.results.p99FleetDayCurveMs} ms`);
    const short = total < QUERY_ROWS ? `, fewer than the issue's ${QUERY_ROWS.toLocaleString('en')} (--query-days)` : '';
    ctx.notes.push(`query: ${total.toLocaleString('en')} rows in telemetry_load${short}; the class curve sums class ${biggest.cls} (${biggest.n} meters)`);
  } finally {
    await client.end();
  }
}
