/**
 * Pure chart-data logic: time ranges in the utility's zone and uPlot's column arrays.
 * No DOM, no clock: the caller passes `nowMs`.
 */

/**
 * Offset of `zone` from UTC at instant `atMs`, in ms (positive east of Greenwich).
 * @param {number} atMs @param {string} zone
 */
export function zoneOffsetMs(atMs, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(atMs));
  /** @param {string} type */
  const n = (type) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/** Start of the local day in `zone` containing `atMs`. @param {number} atMs @param {string} zone */
export function startOfDayMs(atMs, zone) {
  const offset = zoneOffsetMs(atMs, zone);
  const local = atMs + offset;
  return local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - offset;
}

/**
 * The window a range selector value stands for.
 * @param {'today'|'last24h'|'last48h'} range @param {number} nowMs @param {string} zone
 * @returns {{ fromMs: number, toMs: number }}
 */
export function rangeWindow(range, nowMs, zone) {
  if (range === 'today') {
    const fromMs = startOfDayMs(nowMs, zone);
    return { fromMs, toMs: fromMs + 86_400_000 };
  }
  const hours = range === 'last48h' ? 48 : 24;
  return { fromMs: nowMs - hours * 3_600_000, toMs: nowMs };
}

/**
 * uPlot's aligned data ([x, ...y]) from a series API response. Missing columns become all-null
 * (missing is not zero, domain.md decision 5).
 * @param {{ ts: number[], values: Record<string, (number|null)[]> }} res
 * @param {readonly string[]} columns
 * @returns {(number|null)[][]}
 */
export function toAligned(res, columns) {
  return [res.ts.slice(), ...columns.map((c) => res.values[c]?.slice() ?? res.ts.map(() => null))];
}

/**
 * Insert or replace one sample by timestamp, keeping x ascending and dropping points before `fromMs`.
 * A re-sent sample with the same ts overwrites (as the store does). Returns new arrays.
 * @param {(number|null)[][]} data
 * @param {number} tsMs
 * @param {(number|null)[]} ys one value per y column
 * @param {number} fromMs
 */
export function mergeSample(data, tsMs, ys, fromMs) {
  const xs = /** @type {number[]} */ (data[0]);
  const out = data.map((col) => col.slice());
  let i = 0;
  while (i < xs.length && xs[i] < tsMs) i++;
  if (xs[i] === tsMs) {
    ys.forEach((y, k) => { out[k + 1][i] = y; });
  } else {
    out[0].splice(i, 0, tsMs);
    ys.forEach((y, k) => { out[k + 1].splice(i, 0, y); });
  }
  let drop = 0;
  while (drop < out[0].length && /** @type {number} */ (out[0][drop]) < fromMs) drop++;
  return drop ? out.map((col) => col.slice(drop)) : out;
}

/**
 * A constant line over the x values (the contract capacity), null when unknown.
 * @param {(number|null)[]} xs @param {number|null} value
 */
export function constantLine(xs, value) {
  return xs.map(() => value);
}
