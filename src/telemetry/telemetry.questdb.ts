import pg from 'pg';
import { KINDS, KIND_COLUMNS, type AnySample, type Kind } from '../domain/sample.js';
import type { Logger } from '../log.js';
import { IlpBatcher } from './ilp-batcher.js';
import { sampleToRow, type IlpRow, type MeterTags } from './ilp-rows.js';
import { classifyIlpError, openIlpSender, type IlpSender } from './ilp-sender.questdb.js';
import { createTableStatements, isoUtc, latestStatement, parseUtcTimestampMs, sampledCurveStatement, seriesStatement } from './questdb-sql.js';
import type { Series, TelemetryStore, WriteResult } from './store.js';

export interface QuestDbOptions {
  /** QuestDB's client configuration string, e.g. http::addr=localhost:9000; (ILP over HTTP). */
  clientConf: string;
  /** PostgreSQL-wire URL for DDL and queries, e.g. postgres://admin:quest@localhost:8812/qdb. */
  pgUrl: string;
  /** The utility's IANA zone: SAMPLE BY buckets start at its local midnight. */
  timeZone: string;
  /** The meter's customer and class, written as symbols beside each sample. */
  tagsOf(meterId: string): MeterTags | undefined;
  log: Logger;
  batch?: Partial<{ maxBatchRows: number; flushIntervalMs: number; retryMinMs: number; retryMaxMs: number }>;
}

export interface LatestValue {
  tsMs: number;
  values: Record<string, number | null>;
}

/** The port plus the queries the upcoming analytics will use. */
export interface QuestDbTelemetryStore extends TelemetryStore {
  /** SAMPLE BY bucket ('15m', '1h', '1d') aligned to the calendar in the utility's zone. */
  sampledCurve(meterId: string, kind: Kind, fromMs: number, toMs: number, bucket: string): Promise<Series>;
  /** LATEST ON: each listed meter's newest sample of this kind. */
  latest(kind: Kind, meterIds: readonly string[]): Promise<Map<string, LatestValue>>;
  close(): Promise<void>;
}

const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;
const DEFAULT_BATCH = { maxBatchRows: 10_000, flushIntervalMs: 20, retryMinMs: 200, retryMaxMs: 10_000 };

/** Creates the tables (explicit DDL, never ILP auto-create), then writes over ILP/HTTP and reads over PG wire. */
export async function openQuestDbTelemetryStore(opts: QuestDbOptions): Promise<QuestDbTelemetryStore> {
  const pool = new pg.Pool({ connectionString: opts.pgUrl, max: 4, types: { getTypeParser: utcTypeParser as pg.CustomTypesConfig['getTypeParser'] } });
  pool.on('error', (err) => opts.log.warn({ err }, 'a QuestDB query connection failed; the pool replaces it'));
  let sender: IlpSender | undefined;
  try {
    for (const kind of KINDS) for (const statement of createTableStatements(kind)) await pool.query(statement);
    sender = await openIlpSender(opts.clientConf, opts.log);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const ilp = sender;
  const settings = { ...DEFAULT_BATCH, ...opts.batch };
  const batchers = Object.fromEntries(
    // One batcher per table: an ILP/HTTP request is one transaction only when it holds one table.
    KINDS.map((kind) => [kind, new IlpBatcher<IlpRow>({
      ...settings,
      send: (rows) => ilp.send(rows),
      classify: classifyIlpError,
      onRetry: (err, rows, delayMs) => opts.log.warn({ err, table: kind, rows, delayMs }, 'QuestDB did not take a batch; retrying'),
      onRejected: (row, err) => opts.log.error({ err, row }, 'QuestDB refused this row; it is not stored'),
    })]),
  ) as Record<Kind, IlpBatcher<IlpRow>>;

  const toSeries = (kind: Kind, rows: Record<string, number | null>[]): Series => {
    const columns = KIND_COLUMNS[kind] as readonly string[];
    const series: Series = { ts: rows.map((r) => r.ts as number), values: {} };
    for (const c of columns) series.values[c] = rows.map((r) => r[c]);
    return series;
  };

  return {
    async write(samples: readonly AnySample[]): Promise<WriteResult> {
      const rowsByKind: Record<Kind, IlpRow[]> = { voltage: [], current: [], load: [], reading: [] };
      for (const s of samples) rowsByKind[s.kind].push(sampleToRow(s, opts.tagsOf(s.meterId)));
      const outcomes = await Promise.all(KINDS.map((k) => batchers[k].enqueue(rowsByKind[k])));
      return {
        inserted: 0,
        overwritten: 0,
        duplicates: 0,
        unclassified: outcomes.reduce((n, o) => n + o.written, 0),
        rejected: outcomes.reduce((n, o) => n + o.rejected, 0),
      };
    },

    async series(meterId, kind, fromMs, toMs) {
      const res = await pool.query<Record<string, number | null>>(seriesStatement(kind), [meterId, isoUtc(fromMs), isoUtc(toMs)]);
      return toSeries(kind, res.rows);
    },

    async sampledCurve(meterId, kind, fromMs, toMs, bucket) {
      const res = await pool.query<Record<string, number | null>>(sampledCurveStatement(kind, bucket, opts.timeZone), [meterId, isoUtc(fromMs), isoUtc(toMs)]);
      return toSeries(kind, res.rows);
    },

    async latest(kind, meterIds) {
      const latest = new Map<string, LatestValue>();
      if (meterIds.length === 0) return latest;
      const res = await pool.query<Record<string, string | number | null>>(latestStatement(kind, meterIds.length), [...meterIds]);
      for (const row of res.rows) {
        const values: Record<string, number | null> = {};
        for (const c of KIND_COLUMNS[kind] as readonly string[]) values[c] = row[c] as number | null;
        latest.set(row.meter_id as string, { tsMs: row.ts as number, values });
      }
      return latest;
    },

    async close() {
      await Promise.all(KINDS.map((k) => batchers[k].close()));
      await ilp.close();
      await pool.end();
    },
  };
}

/** This pool's own parsers: the global pg.types (shared with the PostgreSQL adapter) stay untouched. */
function utcTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
  if (oid === TIMESTAMP_OID || oid === TIMESTAMPTZ_OID) return parseUtcTimestampMs;
  return pg.types.getTypeParser(oid, format ?? 'text') as (text: string) => unknown;
}
