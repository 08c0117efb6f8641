import { KIND_COLUMNS, type Kind } from '../domain/sample.js';
import { questDbTableOf } from './ilp-rows.js';

/**
 * The SQL the QuestDB adapter runs, written to QuestDB's documentation (links in docs/questdb.md).
 * Pure: statement text only.
 */

function valueColumns(kind: Kind): readonly string[] {
  return KIND_COLUMNS[kind] as readonly string[];
}

/**
 * Tables exist before the first row: ILP would otherwise create them from the first line, with no
 * DEDUP and guessed types. WAL is required for DEDUP; (ts, meter_id) makes a re-send replace its row.
 */
export function createTableStatements(kind: Kind): string[] {
  const table = questDbTableOf(kind);
  const values = [...valueColumns(kind), 'multiplier'].map((c) => `    ${c} DOUBLE,`).join('\n');
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
    ts TIMESTAMP,
    meter_id SYMBOL,
    customer_id SYMBOL,
    class SYMBOL,
${values.replace(/,$/, '')}
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, meter_id)`,
    // A table created earlier without DEDUP gets it; on a table that has it, this is not an error.
    `ALTER TABLE ${table} DEDUP ENABLE UPSERT KEYS(ts, meter_id)`,
  ];
}

/** Parameters: $1 meter id, $2 from (inclusive), $3 to (exclusive), both ISO-8601 UTC text (isoUtc). */
export function seriesStatement(kind: Kind): string {
  return `SELECT ts, ${valueColumns(kind).join(', ')} FROM ${questDbTableOf(kind)}
WHERE meter_id = $1 AND ts >= $2 AND ts < $3
ORDER BY ts`;
}

const BUCKET = /^[1-9]\d*[mhdM]$/;
const TIME_ZONE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/**
 * One meter's curve in buckets that start at local midnight in the utility's zone (DST-aware).
 * Powers and phase values are averaged; registers keep the last reading of the bucket.
 * Parameters as seriesStatement. The bucket and zone are SQL text, so they are checked here.
 */
export function sampledCurveStatement(kind: Kind, bucket: string, timeZone: string): string {
  if (!BUCKET.test(bucket)) throw new Error(`SAMPLE BY bucket ${JSON.stringify(bucket)} is not like 15m, 1h, 1d`);
  if (!TIME_ZONE.test(timeZone)) throw new Error(`time zone ${JSON.stringify(timeZone)} is not an IANA name`);
  const aggregate = kind === 'reading' ? 'last' : 'avg';
  const columns = valueColumns(kind).map((c) => `${aggregate}(${c}) AS ${c}`).join(', ');
  return `SELECT ts, ${columns} FROM ${questDbTableOf(kind)}
WHERE meter_id = $1 AND ts >= $2 AND ts < $3
SAMPLE BY ${bucket} ALIGN TO CALENDAR TIME ZONE '${timeZone}'`;
}

/** The newest row of each listed meter; parameters $1..$n are the meter ids. */
export function latestStatement(kind: Kind, meterCount: number): string {
  if (meterCount < 1) throw new Error('latestStatement needs at least one meter');
  const placeholders = Array.from({ length: meterCount }, (_, i) => `$${i + 1}`).join(', ');
  return `SELECT ts, meter_id, ${valueColumns(kind).join(', ')} FROM ${questDbTableOf(kind)}
WHERE meter_id IN (${placeholders})
LATEST ON ts PARTITION BY meter_id`;
}

/** Bind values for timestamps: ISO-8601 in UTC, never a Date (pg would print it in the process's zone). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

const WIRE_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00(?::?00)?)?$/;

/**
 * QuestDB timestamps carry no zone and are UTC (docs: timestamps-timezones); pg would read
 * "timestamp without time zone" in the process's zone. Epoch ms, sub-millisecond digits dropped.
 */
export function parseUtcTimestampMs(text: string): number {
  const m = WIRE_TIMESTAMP.exec(text);
  if (!m) throw new Error(`unexpected timestamp text from QuestDB: ${JSON.stringify(text)}`);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}
