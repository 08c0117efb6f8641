/** Local calendar of the simulated utility: Asia/Shanghai, UTC+8 with no DST (domain.md decision 4). */
export const UTC_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
export const STEP_MS = 15 * 60_000;

/** Days since 1970-01-01 local. */
export function localDayNumber(tsMs: number): number {
  return Math.floor((tsMs + UTC_OFFSET_MS) / DAY_MS);
}

/** 0..95: the quarter-hour of the local day. */
export function localSlot(tsMs: number): number {
  return Math.floor((((tsMs + UTC_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / STEP_MS);
}

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function localWeekday(tsMs: number): number {
  return (localDayNumber(tsMs) + 4) % 7;
}

/** 0 = January. */
export function localMonth(tsMs: number): number {
  return new Date(tsMs + UTC_OFFSET_MS).getUTCMonth();
}

export function localMidnightMs(tsMs: number): number {
  return localDayNumber(tsMs) * DAY_MS - UTC_OFFSET_MS;
}

/** ISO-8601 with the local offset, as the protocol wants it: 2026-11-25T10:15:00+08:00. */
export function isoLocal(tsMs: number): string {
  return new Date(tsMs + UTC_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}
