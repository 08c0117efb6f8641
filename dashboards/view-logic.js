/** Pure logic behind the overview, alarm board, map and voltage chart: no DOM, tested in view-logic.test.ts. */

/**
 * The alarm board's filters; an empty filter passes everything.
 * @template {{ rule: string, severity: string, customer?: { classes?: string[], accountManager?: string } }} A
 * @param {A[]} alarms @param {{ cls?: string, severity?: string, rule?: string, manager?: string }} f
 * @returns {A[]}
 */
export function filterAlarms(alarms, f) {
  return alarms.filter((a) =>
    (!f.cls || (a.customer?.classes ?? []).includes(f.cls))
    && (!f.severity || a.severity === f.severity)
    && (!f.rule || a.rule === f.rule)
    && (!f.manager || (a.customer?.accountManager ?? '') === f.manager));
}

/** The distinct non-empty values of one field, sorted, for a filter's options. @param {string[]} values */
export const distinct = (values) => [...new Set(values.filter(Boolean))].sort();

/** YYYY-MM-DD of an instant in a time zone (the utility's calendar, domain.md decision 4). @param {number} atMs @param {string} timeZone */
export function localDay(atMs, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(atMs);
}

/** The calendar day before a YYYY-MM-DD day. @param {string} day */
export function previousDay(day) {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Place lat/lon points in a width x height box: equirectangular, x scaled by cos(mid latitude) so
 * distances look right at the fleet's latitude, one scale for both axes, centred, padPx kept free.
 * @template {{ lat: number, lon: number }} P
 * @param {P[]} points @param {number} widthPx @param {number} heightPx @param {number} padPx
 * @returns {(P & { x: number, y: number })[]}
 */
export function projectPoints(points, widthPx, heightPx, padPx) {
  if (!points.length) return [];
  const lats = points.map((p) => p.lat);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const xs = points.map((p) => p.lon * k);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...lats), Math.max(...lats)];
  const scale = Math.min((widthPx - 2 * padPx) / (x1 - x0 || 1), (heightPx - 2 * padPx) / (y1 - y0 || 1));
  const offX = (widthPx - (x1 - x0) * scale) / 2;
  const offY = (heightPx - (y1 - y0) * scale) / 2;
  return points.map((p, i) => ({ ...p, x: offX + (xs[i] - x0) * scale, y: heightPx - (offY + (p.lat - y0) * scale) }));
}

/**
 * The qualified voltage band of a meter's drawn values (GB/T 12325 via domain.md 2.1): single-phase
 * 220 V +7 % / -10 %; three-phase up to 20 kV +-7 %. 3P4W meters report phase voltage, so the
 * band is around nominal / sqrt(3); 3P3W report line voltage, compared to nominal itself.
 * @param {string} wiring @param {number} nominalV line voltage for three-phase, phase voltage for 1P
 * @returns {{ lowV: number, highV: number } | null} null where the standard band does not apply (over 20 kV)
 */
export function voltageBand(wiring, nominalV) {
  if (!(nominalV > 0)) return null;
  if (wiring === '1P') return { lowV: nominalV * 0.9, highV: nominalV * 1.07 };
  if (nominalV > 20_000) return null;
  const refV = wiring === '3P4W' ? nominalV / Math.sqrt(3) : nominalV;
  return { lowV: refV * 0.93, highV: refV * 1.07 };
}

/**
 * Align yesterday's curve to today's timestamps by position (the day's n-th quarter), so both draw on
 * one x axis; the shorter day (DST zones) pads with null.
 * @param {number[]} todayTs @param {(number|null)[]} yesterday
 */
export const alignYesterday = (todayTs, yesterday) => todayTs.map((_, i) => yesterday[i] ?? null);

/** The last non-null value of a curve and its index, or null. @param {(number|null)[]} curve */
export function lastValue(curve) {
  for (let i = curve.length - 1; i >= 0; i--) if (curve[i] !== null && curve[i] !== undefined) return { i, value: /** @type {number} */ (curve[i]) };
  return null;
}

/**
 * Add yesterday's curve to aligned chart data: yesterday's points move forward by dayMs onto today's
 * x axis, x becomes the union of both, and columns get null where they have no point.
 * @param {(number|null)[][]} data [ts, ...columns], ts ascending
 * @param {number[]} yTs @param {(number|null)[]} yValues @param {number} dayMs
 * @returns {(number|null)[][]} [ts, ...columns, yesterday]
 */
export function withYesterday(data, yTs, yValues, dayMs) {
  const xs = /** @type {number[]} */ (data[0]);
  const shifted = new Map(yTs.map((ts, i) => [ts + dayMs, yValues[i] ?? null]));
  const at = new Map(xs.map((ts, i) => [ts, i]));
  const ts = [...new Set([...xs, ...shifted.keys()])].sort((a, b) => a - b);
  return [
    ts,
    ...data.slice(1).map((col) => ts.map((x) => { const i = at.get(x); return i === undefined ? null : col[i] ?? null; })),
    ts.map((x) => shifted.get(x) ?? null),
  ];
}
