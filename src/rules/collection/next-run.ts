import { addDays, localDayOf, localTimeMs } from '../../domain/calendar.js';

/**
 * When the collection checks of yesterday run, in local hours of the utility's zone: at the cut-off (domain.md
 * 2.6, e.g. 09:00 on D+1), then every hour until lastRerunHour, so back-filled (补抄) data clears its alarms
 * the same morning.
 */
export interface CollectionSchedule {
  cutOffHour: number;
  lastRerunHour: number;
}

export const DEFAULT_COLLECTION_SCHEDULE: CollectionSchedule = { cutOffHour: 9, lastRerunHour: 12 };

/** The same hours as a cron pattern (minute hour day month weekday), read in the utility's zone. */
export function cronPattern(s: CollectionSchedule): string {
  return `0 ${s.cutOffHour}-${s.lastRerunHour} * * *`;
}

/** The data date a run at runMs checks: the day before the run's local date. */
export function collectionDayOf(runMs: number, timeZone: string): string {
  return addDays(localDayOf(runMs, timeZone), -1);
}

/** The first run strictly after nowMs, and the data date it checks. */
export function nextCollectionRun(nowMs: number, timeZone: string, s: CollectionSchedule = DEFAULT_COLLECTION_SCHEDULE): { atMs: number; day: string } {
  const today = localDayOf(nowMs, timeZone);
  for (const date of [today, addDays(today, 1)]) {
    for (let hour = s.cutOffHour; hour <= s.lastRerunHour; hour++) {
      const atMs = localTimeMs(date, hour, timeZone);
      if (atMs > nowMs) return { atMs, day: addDays(date, -1) };
    }
  }
  throw new Error(`no collection run after ${new Date(nowMs).toISOString()}: cutOffHour ${s.cutOffHour} > lastRerunHour ${s.lastRerunHour}`);
}
