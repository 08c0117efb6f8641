import type { Sql } from '../db/sql.js';
import { KIND_COLUMNS, KINDS, type AnySample, type Kind } from '../domain/sample.js';
import { copyBinary } from './copy-binary.js';
import { DayPartitions } from './day-partitions.pg.js';
import type { Series, TelemetryStore, WriteResult } from './store.js';

/**
 * One statement per kind per batch, never one per sample. On a PostgreSQL server the rows go in
 * by binary COPY straight into the table, the fastest path; a batch that hits an existing key (a re-send,
 * a replay after a crash) fails as a whole and is redone as an upsert. The upsert passes the rows
 * as arrays spread by unnest; ON CONFLICT turns a re-send into an update only when a value
 * differs. The tables are partitioned by UTC day, and a batch's days are made before it is
 * written (DayPartitions).
 */
export function createPgTelemetryStore(sql: Sql): TelemetryStore {
  const upserts = Object.fromEntries(KINDS.map((k) => [k, upsertStatement(k)])) as Record<Kind, string>;
  const selects = Object.fromEntries(KINDS.map((k) => [k, selectStatement(k)])) as Record<Kind, string>;
  const partitions = new DayPartitions(sql);

  const writeKind = async (kind: Kind, group: AnySample[]): Promise<WriteResult> => {
    if (sql.copyIn && (await copied(sql.copyIn, kind, group))) return { inserted: group.length, overwritten: 0, duplicates: 0 };
    const { written, overwritten } = (await sql.query<{ written: number; overwritten: number }>(upserts[kind], columnsOf(kind, group))).rows[0];
    return { inserted: written - overwritten, overwritten, duplicates: group.length - written };
  };

  return {
    async write(samples) {
      const byKind = groupByKind(samples);
      const results = await Promise.all(
        KINDS.filter((k) => byKind[k].length > 0).map((kind) => partitions.around(kind, byKind[kind], () => writeKind(kind, byKind[kind]))),
      );
      return results.reduce<WriteResult>(
        (sum, r) => ({ inserted: sum.inserted + r.inserted, overwritten: sum.overwritten + r.overwritten, duplicates: sum.duplicates + r.duplicates }),
        { inserted: 0, overwritten: 0, duplicates: 0 },
      );
    },

    async series(meterId, kind, fromMs, toMs) {
      const res = await sql.query<Record<string, number | null>>(selects[kind], [meterId, fromMs, toMs]);
      const columns = KIND_COLUMNS[kind] as readonly string[];
      const series: Series = { ts: new Array(res.rows.length), values: {} };
      for (const c of columns) series.values[c] = new Array(res.rows.length);
      res.rows.forEach((row, i) => {
        series.ts[i] = row.ts as number;
        for (const c of columns) series.values[c][i] = row[c];
      });
      return series;
    },
  };
}

const UNIQUE_VIOLATION = '23505';

/** True when COPY stored every row; false when one already existed and the batch needs the upsert. */
async function copied(copyIn: NonNullable<Sql['copyIn']>, kind: Kind, samples: readonly AnySample[]): Promise<boolean> {
  const cols = [...(KIND_COLUMNS[kind] as readonly string[]), 'multiplier'];
  try {
    await copyIn(`COPY ${tableOf(kind)} (meter_id, ts, ${cols.join(', ')}) FROM STDIN (FORMAT binary)`, copyBinary(kind, samples));
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return false;
    throw err;
  }
}

export function tableOf(kind: Kind): string {
  return `telemetry_${kind}`;
}

function upsertStatement(kind: Kind): string {
  const table = tableOf(kind);
  const cols = [...(KIND_COLUMNS[kind] as readonly string[]), 'multiplier'];
  const vs = cols.map((_, i) => `v${i}`).join(', ');
  const params = cols.map((_, i) => `$${i + 3}::float8[]`).join(', ');
  const changed = cols.map((c) => `t.${c} IS DISTINCT FROM excluded.${c}`).join(' OR ');
  // RETURNING cannot read xmax (new row or updated one) from a partitioned table: rows are told apart by whether
  // their key existed when the statement began. A row another writer inserts meanwhile counts as new here.
  return `WITH u AS (SELECT m, to_timestamp(ms / 1000.0) AS ts, ${vs} FROM unnest($1::text[], $2::float8[], ${params}) AS u(m, ms, ${vs})),
    existed AS (SELECT t.meter_id, t.ts FROM ${table} t JOIN u ON t.meter_id = u.m AND t.ts = u.ts),
    written AS (
      INSERT INTO ${table} AS t (meter_id, ts, ${cols.join(', ')}) SELECT * FROM u
      ON CONFLICT (meter_id, ts) DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}
      WHERE ${changed}
      RETURNING t.meter_id, t.ts)
    SELECT count(*)::int AS written, count(e.meter_id)::int AS overwritten FROM written w LEFT JOIN existed e USING (meter_id, ts)`;
}

function selectStatement(kind: Kind): string {
  const cols = KIND_COLUMNS[kind] as readonly string[];
  return `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts, ${cols.join(', ')}
    FROM ${tableOf(kind)}
    WHERE meter_id = $1 AND ts >= to_timestamp($2 / 1000.0) AND ts < to_timestamp($3 / 1000.0)
    ORDER BY ts`;
}

function groupByKind(samples: readonly AnySample[]): Record<Kind, AnySample[]> {
  const byKind: Record<Kind, AnySample[]> = { voltage: [], current: [], load: [], reading: [] };
  for (const s of samples) byKind[s.kind].push(s);
  return byKind;
}

/** Column arrays in the order of upsertStatement's parameters. */
function columnsOf(kind: Kind, samples: readonly AnySample[]): unknown[][] {
  const cols = KIND_COLUMNS[kind] as readonly string[];
  const n = samples.length;
  const meterIds = new Array<string>(n);
  const ts = new Array<number>(n);
  const values = cols.map(() => new Array<number | null>(n));
  const multipliers = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    meterIds[i] = s.meterId;
    ts[i] = s.tsMs;
    multipliers[i] = s.multiplier;
    const v = s.values as unknown as Record<string, number | null>;
    for (let c = 0; c < cols.length; c++) values[c][i] = v[cols[c]];
  }
  return [meterIds, ts, ...values, multipliers];
}
