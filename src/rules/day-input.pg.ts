import type { Sql } from '../db/sql.js';
import type { Sample } from '../domain/sample.js';
import type { DayInput } from './day-input.js';
import { localMonthStartMs } from '../domain/calendar.js';

const DAY_MS = 24 * 3_600_000;
// D1/D2 look 4 weeks back and the residential D2 30 days: 35 days of freezes cover both.
const HISTORY_DAYS = 35;

/** One data date to load: the day closed by this meter's freeze at closingTsMs. */
export interface DayRequest {
  meterId: string;
  closingTsMs: number;
}

export const dayKey = (meterId: string, closingTsMs: number) => `${meterId}@${closingTsMs}`;

const ms = (v: Date | string) => new Date(v).getTime();

// Every request is a row (meter, from, to, index) joined against the table: one statement per table for the
// whole batch, where a meter-at-a-time loop cost five round trips per meter at each midnight freeze.
const REQUESTS = `unnest($1::text[], $2::float8[], $3::float8[], $4::int[]) AS r(meter_id, from_ms, to_ms, k)`;
const inRange = (inclusiveEnd: boolean) =>
  `t.meter_id = r.meter_id AND t.ts >= to_timestamp(r.from_ms / 1000.0) AND t.ts ${inclusiveEnd ? '<=' : '<'} to_timestamp(r.to_ms / 1000.0)`;

type Window = { meterId: string; fromMs: number; toMs: number };

function params(windows: readonly Window[]): unknown[] {
  return [windows.map((w) => w.meterId), windows.map((w) => w.fromMs), windows.map((w) => w.toMs), windows.map((_, i) => i)];
}

async function rows(sql: Sql, table: string, cols: string, windows: readonly Window[], inclusiveEnd: boolean): Promise<Sample[][]> {
  const res = await sql.query<Record<string, unknown> & { k: number; ts: Date | string; multiplier: number }>(
    `SELECT r.k, t.ts, ${cols.split(', ').map((c) => `t.${c}`).join(', ')}, t.multiplier FROM ${REQUESTS} JOIN ${table} t ON ${inRange(inclusiveEnd)} ORDER BY r.k, t.ts`,
    params(windows),
  );
  const kind = table.replace('telemetry_', '') as Sample['kind'];
  const out: Sample[][] = windows.map(() => []);
  for (const r of res.rows) {
    const { k, ts, multiplier, ...values } = r;
    out[Number(k)].push({ kind, meterId: windows[Number(k)].meterId, tsMs: ms(ts), values: values as never, multiplier } as Sample);
  }
  return out;
}

/**
 * What the daily rules need for each data date closed by a freeze (domain.md decision 2: the freeze at D+1 00:00
 * closes D), for a whole batch at once, keyed by dayKey(). Days are taken as 24 h (the default Asia/Shanghai has no DST).
 */
export async function loadDayInputs(sql: Sql, requests: readonly DayRequest[], timeZone: string): Promise<Map<string, DayInput>> {
  const result = new Map<string, DayInput>();
  if (requests.length === 0) return result;
  const day = requests.map((r) => ({ meterId: r.meterId, fromMs: r.closingTsMs - DAY_MS, toMs: r.closingTsMs }));
  const history = day.map((w) => ({ ...w, fromMs: w.fromMs - HISTORY_DAYS * DAY_MS }));
  const month = day.map((w) => ({ ...w, fromMs: localMonthStartMs(w.fromMs, timeZone) }));
  // One after another: they share the evaluation's transaction, and one connection runs one statement at a time.
  const readings = await rows(sql, 'telemetry_reading', 'total, sharp, peak, flat, valley, reverse', history, true);
  const voltage = await rows(sql, 'telemetry_voltage', 'a, b, c', day, false);
  const current = await rows(sql, 'telemetry_current', 'a, b, c', day, false);
  const load = await rows(sql, 'telemetry_load', 'p, q, pf', day, false);
  const sums = await sql.query<{ k: number; sum_p: number | null; sum_q: number | null; max_p: number | null }>(
    `SELECT r.k, sum(t.p) AS sum_p, sum(abs(t.q)) AS sum_q, max(abs(t.p)) AS max_p FROM ${REQUESTS} LEFT JOIN telemetry_load t ON ${inRange(false)} GROUP BY r.k`,
    params(month),
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const monthOf = new Map(sums.rows.map((m) => [Number(m.k), { sumPkw: num(m.sum_p), sumQkvar: num(m.sum_q), maxPkw: num(m.max_p) }]));
  requests.forEach((r, i) => {
    result.set(dayKey(r.meterId, r.closingTsMs), {
      dayStartMs: day[i].fromMs, dayEndMs: r.closingTsMs,
      readings: readings[i] as Sample<'reading'>[], voltage: voltage[i] as Sample<'voltage'>[], current: current[i] as Sample<'current'>[], load: load[i] as Sample<'load'>[],
      monthToDate: monthOf.get(i) ?? { sumPkw: null, sumQkvar: null, maxPkw: null },
    });
  });
  return result;
}
