/** The dispatcher's overview: what the page needs in one look, and the pure shaping of the class load curves. */
import type { Severity } from '../domain/alarm.js';

export const QUARTER_MS = 15 * 60_000;

/** One summed 15-minute point: `cls` is a class code, or '' for the total over every archived meter. */
export interface ClassLoadRow {
  cls: string;
  tsMs: number;
  kw: number;
}

export interface DayCurves {
  /** Every 15-minute point of the local day, ascending epoch ms. */
  ts: number[];
  /** Sum of primary kW over all archived meters; null where no meter reported. */
  total: (number | null)[];
  /** The same per class; a customer in two classes counts in both, once in the total. */
  classes: Record<string, (number | null)[]>;
}

export interface OverviewCounts {
  /** Open (active) alarms per class, then per severity; a customer in two classes counts in both. */
  alarms: Record<string, Partial<Record<Severity, number>>>;
  concentrators: { online: number; offline: number; unknown: number };
  /** Today's 15-minute load points received against those expected from every meter up to now. */
  completeness: { expected: number; received: number; share: number | null };
}

/** A large customer placed on the map, with the severity of its worst open alarm (null: none open). */
export interface MapPoint {
  id: string;
  name: string;
  classes: string[];
  lat: number;
  lon: number;
  worstSeverity: Severity | null;
}

/** Classes the map leaves out: mass-market customers would bury the large ones (issue 6: "large customers"). */
export const SMALL_CLASSES = ['LV_NONRES', 'RESIDENTIAL'] as const;

/** The store queries behind /api/overview; the composition root supplies the adapter (overview.pg.ts). */
export interface OverviewQueries {
  /** Local calendar day [startMs, endMs) in the utility's zone for a YYYY-MM-DD date. */
  dayBounds(day: string): Promise<{ startMs: number; endMs: number }>;
  classLoad(startMs: number, endMs: number): Promise<ClassLoadRow[]>;
  counts(day: { startMs: number; endMs: number }, nowMs: number): Promise<OverviewCounts>;
  /** Customers with lat/lon in at least one class outside SMALL_CLASSES. */
  mapPoints(): Promise<MapPoint[]>;
}

/** Lay summed rows on the day's 15-minute grid (missing is null, never 0: domain.md decision 5). */
export function dayCurves(rows: readonly ClassLoadRow[], startMs: number, endMs: number): DayCurves {
  const ts: number[] = [];
  for (let t = startMs; t < endMs; t += QUARTER_MS) ts.push(t);
  const blank = () => ts.map((): number | null => null);
  const total = blank();
  const classes: Record<string, (number | null)[]> = {};
  for (const row of rows) {
    const i = Math.floor((row.tsMs - startMs) / QUARTER_MS);
    if (i < 0 || i >= ts.length) continue;
    const curve = row.cls === '' ? total : (classes[row.cls] ??= blank());
    curve[i] = (curve[i] ?? 0) + row.kw;
  }
  return { ts, total, classes };
}

/**
 * Quarters of the day completed by nowMs: a point is expected once its quarter is over. The
 * received count is taken over the same quarters, so share stays in [0, 1] up to re-sends.
 */
export function completedQuarters(dayStartMs: number, dayEndMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((Math.min(nowMs, dayEndMs) - dayStartMs) / QUARTER_MS));
}

/** The calendar day (YYYY-MM-DD) an instant falls on in the utility's zone (domain.md decision 4). */
export { localDayOf as localDay } from '../domain/calendar.js';
