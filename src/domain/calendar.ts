/**
 * The utility's calendar (domain.md decision 4): days are cut in its time zone, never in UTC. Days are
 * 'YYYY-MM-DD' strings: day arithmetic on the strings is exact whatever the zone's offsets, and only
 * midnights need the zone. Rules, collection checks, the overview and (later) energy periods share it.
 */
const DAY_MS = 86_400_000;

function parse(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

export function isLocalDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && new Date(parse(day)).toISOString().slice(0, 10) === day;
}

export function addDays(day: string, n: number): string {
  return new Date(parse(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from a to b (b later = positive). */
export function daysBetween(a: string, b: string): number {
  return Math.round((parse(b) - parse(a)) / DAY_MS);
}

// Building an Intl.DateTimeFormat costs far more than using one (a check reads one day per meter): one per zone.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  return format;
}

/** Offset of the zone at tsMs: local wall time minus UTC. */
function offsetMs(tsMs: number, timeZone: string): number {
  const parts = Object.fromEntries(formatFor(timeZone).formatToParts(new Date(tsMs)).map((p) => [p.type, Number(p.value)]));
  const localAsUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return localAsUtc - Math.floor(tsMs / 1000) * 1000;
}

/** The instant of hour:00 local on day (hour 0 = the midnight that starts the day). */
export function localTimeMs(day: string, hour: number, timeZone: string): number {
  const wall = parse(day) + hour * 3_600_000;
  const guess = wall - offsetMs(wall, timeZone);
  // Second pass: the offset at the result, not at the wall time read as UTC, decides across a DST change.
  return wall - offsetMs(guess, timeZone);
}

export function localDayOf(tsMs: number, timeZone: string): string {
  return new Date(tsMs + offsetMs(tsMs, timeZone)).toISOString().slice(0, 10);
}

/** Local 00:00 of the first day of the month containing tsMs. */
export function localMonthStartMs(tsMs: number, timeZone: string): number {
  return localTimeMs(`${localDayOf(tsMs, timeZone).slice(0, 8)}01`, 0, timeZone);
}
