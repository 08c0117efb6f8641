import type { Sql } from '../db/sql.js';
import { KIND_COLUMNS, KINDS, type AnySample, type Kind } from '../domain/sample.js';
import { copyBinary } from './copy-binary.js';
import type { Series, TelemetryStore, WriteResult } from './store.js';

/**
 * One statement per kind per batch, never one per sample. On a PostgreSQL server the rows go in
 * by binary COPY straight into the table, the fastest path; a batch that hits an existing key (a re-send,
 * a replay after a crash) fails as a whole and is redone as an upsert. The upsert passes the rows
 * as arrays spread by unnest; ON CONFLICT turns a re-send into an update only when a value
 * differs, and RETURNING (xmax <> 0) tells new rows from overwritten ones.
 */
export function createPgTelemetryStore(sql: Sql): TelemetryStore {
  const upserts = Object.fromEntries(KINDS.map((k) => [k, upsertStatement(k)])) as Record<Kind, string>;
  const selects = Object.fromEntries(KINDS.map((k) => [k, selectStatement(k)])) as Record<Kind, string>;

  return {
    async write(samples) {
      const byKind = groupByKind(samples);
      const results = await Promise.all(
        KINDS.filter((k) => byKind[k].length > 0).map(async (kind) => {
          const group = byKind[kind];
          if (sql.copyIn && (await copied(sql.copyIn, kind, group))) return { inserted: group.length, overwritten: 0, duplicates: 0 };
          const res = await sql.query<{ overwritten: boolean }>(upserts[kind], columnsOf(kind, group));
          const overwritten = res.rows.reduce((n, r) => n + (r.overwritten ? 1 : 0), 0);
          return { inserted: res.rows.length - overwritten, overwritten, duplicates: group.length - res.rows.length };
        }),
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
  const cols = [...(KIND_COLUMNS[kind] as readonly string[]), 'multiplier'];
  const params = cols.map((_, i) => `$${i + 3}::float8[]`).join(', ');
  const changed = cols.map((c) => `t.${c} IS DISTINCT FROM excluded.${c}`).join(' OR ');
  return `INSERT INTO ${tableOf(kind)} AS t (meter_id, ts, ${cols.join(', ')})
    SELECT m, to_timestamp(ms / 1000.0), ${cols.map((_, i) => `v${i}`).join(', ')}
    FROM unnest($1::text[], $2::float8[], ${params}) AS u(m, ms, ${cols.map((_, i) => `v${i}`).join(', ')})
    ON CONFLICT (meter_id, ts) DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE ${changed}
    RETURNING (xmax <> 0) AS overwritten`;
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
