// Building an Intl.DateTimeFormat costs far more than using one: one per time zone, made once.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  return format;
}

/** Local 00:00 of the first day of the month containing tsMs, in the utility's time zone (domain.md decision 4). */
export function localMonthStartMs(tsMs: number, timeZone: string): number {
  const parts = Object.fromEntries(formatFor(timeZone).formatToParts(new Date(tsMs)).map((p) => [p.type, Number(p.value)]));
  const localAsUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offsetMs = localAsUtc - Math.floor(tsMs / 1000) * 1000;
  return Date.UTC(parts.year, parts.month - 1, 1) - offsetMs;
}
