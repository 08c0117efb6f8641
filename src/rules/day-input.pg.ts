import type { Sql } from '../db/sql.js';
import type { LoadValues, PhaseValues, ReadingValues, Sample } from '../domain/sample.js';
import type { DayInput } from './day-input.js';
import { localMonthStartMs } from '../domain/calendar.js';

const DAY_MS = 24 * 3_600_000;
// D1/D2 look 4 weeks back and the residential D2 30 days: 35 days of freezes cover both.
const HISTORY_DAYS = 35;

const ms = (v: Date | string) => new Date(v).getTime();

async function rows<V>(sql: Sql, table: string, cols: string, meterId: string, fromMs: number, toMs: number, inclusiveEnd: boolean): Promise<Sample[]> {
  const res = await sql.query<Record<string, unknown> & { ts: Date | string; multiplier: number }>(
    `SELECT ts, ${cols}, multiplier FROM ${table} WHERE meter_id = $1 AND ts >= $2 AND ts ${inclusiveEnd ? '<=' : '<'} $3 ORDER BY ts`,
    [meterId, new Date(fromMs), new Date(toMs)],
  );
  const kind = table.replace('telemetry_', '') as Sample['kind'];
  return res.rows.map((r) => {
    const { ts, multiplier, ...values } = r;
    return { kind, meterId, tsMs: ms(ts), values: values as V, multiplier } as Sample;
  });
}

/**
 * What the daily rules need for the data date closed by the freeze at closingTsMs (domain.md decision 2: the
 * freeze at D+1 00:00 closes D). Days are taken as 24 h (the default Asia/Shanghai has no DST).
 */
export async function loadDayInput(sql: Sql, meterId: string, closingTsMs: number, timeZone: string): Promise<DayInput> {
  const dayStartMs = closingTsMs - DAY_MS;
  const monthStartMs = localMonthStartMs(dayStartMs, timeZone);
  const [readings, voltage, current, load, month] = await Promise.all([
    rows<ReadingValues>(sql, 'telemetry_reading', 'total, sharp, peak, flat, valley, reverse', meterId, dayStartMs - HISTORY_DAYS * DAY_MS, closingTsMs, true),
    rows<PhaseValues>(sql, 'telemetry_voltage', 'a, b, c', meterId, dayStartMs, closingTsMs, false),
    rows<PhaseValues>(sql, 'telemetry_current', 'a, b, c', meterId, dayStartMs, closingTsMs, false),
    rows<LoadValues>(sql, 'telemetry_load', 'p, q, pf', meterId, dayStartMs, closingTsMs, false),
    sql.query<{ sum_p: number | null; sum_q: number | null; max_p: number | null }>(
      `SELECT sum(p) AS sum_p, sum(abs(q)) AS sum_q, max(abs(p)) AS max_p FROM telemetry_load WHERE meter_id = $1 AND ts >= $2 AND ts < $3`,
      [meterId, new Date(monthStartMs), new Date(closingTsMs)],
    ),
  ]);
  const m = month.rows[0];
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    dayStartMs, dayEndMs: closingTsMs,
    readings: readings as Sample<'reading'>[], voltage: voltage as Sample<'voltage'>[], current: current as Sample<'current'>[], load: load as Sample<'load'>[],
    monthToDate: { sumPkw: num(m?.sum_p), sumQkvar: num(m?.sum_q), maxPkw: num(m?.max_p) },
  };
}
