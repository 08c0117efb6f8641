import type { Sample } from '../domain/sample.js';
import type { Reading } from './registers/delta.js';

/**
 * Everything the daily rules need about one meter and one data date D (domain.md decision 2: the freeze at
 * D+1 00:00 closes D). Read by the engine's adapter (day-input.pg.ts) when that freeze arrives.
 */
export interface DayInput {
  /** Local 00:00 of D and of D+1 (the closing freeze instant). */
  dayStartMs: number;
  dayEndMs: number;
  /** Freezes up to and including the closing one, oldest first, covering at least the 35 days before D. */
  readings: Reading[];
  /** The day's curve samples, ts in [dayStartMs, dayEndMs). */
  voltage: Sample<'voltage'>[];
  current: Sample<'current'>[];
  load: Sample<'load'>[];
  /** Load samples of the local month up to the end of D: sums for the month-to-date PF, max for demand. */
  monthToDate: { sumPkw: number | null; sumQkvar: number | null; maxPkw: number | null };
}
