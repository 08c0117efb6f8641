/** uPlot factory for the time charts: x in epoch ms shown in the utility's zone, fixed x window, dark theme. */
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { UTILITY_TZ } from './config.js';

const AXIS = { stroke: '#9aa4b2', grid: { stroke: '#253040', width: 1 }, ticks: { stroke: '#253040', width: 1 } };

/**
 * @typedef {{ label: string, stroke: string, dash?: number[], width?: number, digits?: number, points?: boolean }} LineSpec
 * @typedef {{ plot: uPlot, setWindow: (fromMs: number, toMs: number) => void, setData: (data: (number|null)[][]) => void, destroy: () => void }} TimeChart
 */

/**
 * @param {HTMLElement} container
 * @param {{ lines: LineSpec[], unit: string, heightPx: number, fromMs: number, toMs: number, zeroBased: boolean, timeLabel: string,
 *   level?: { value: () => number|null, stroke: string, dash: number[] },
 *   band?: { low: number, high: number, fill: string } | null }} spec
 * @returns {TimeChart}
 */
export function createTimeChart(container, spec) {
  let window = { fromMs: spec.fromMs, toMs: spec.toMs };
  /** @type {uPlot.Options} */
  const opts = {
    width: Math.max(300, container.clientWidth),
    height: spec.heightPx,
    ms: 1,
    tzDate: (ts) => uPlot.tzDate(new Date(ts), UTILITY_TZ),
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => [window.fromMs, window.toMs] },
      y: { range: (_u, min, max) => bandRange(yRange(min, max, spec.zeroBased, spec.level?.value() ?? null), spec.band ?? null, min === null) },
    },
    series: [
      { label: spec.timeLabel, value: '{YYYY}-{MM}-{DD} {HH}:{mm}' },
      ...spec.lines.map((l) => ({
        label: l.label,
        stroke: l.stroke,
        width: l.width ?? 1.5,
        dash: l.dash,
        spanGaps: false,
        points: { show: l.points === false ? false : (/** @type {uPlot} */ u) => u.data[0].length < 120, size: 5 },
        value: (/** @type {uPlot} */ _u, /** @type {number|null} */ v) =>
          v === null || v === undefined ? '—' : `${v.toFixed(l.digits ?? 1)} ${spec.unit}`,
      })),
    ],
    axes: [
      { ...AXIS, values: [[3600, '{HH}:{mm}', '\n{MM}-{DD}', null, null, null, null, null, 1], [60, '{HH}:{mm}', '\n{MM}-{DD}', null, null, null, null, null, 1]] },
      { ...AXIS, size: 60, space: 22, label: spec.unit, labelSize: 14 },
    ],
    legend: { live: true },
    hooks: { drawClear: [(u) => drawBand(u, spec.band ?? null)], draw: [(u) => drawLevel(u, spec.level)] },
  };
  const empty = [[], ...spec.lines.map(() => [])];
  const plot = new uPlot(opts, /** @type {any} */ (empty), container);
  // Resized on the next frame: resizing inside the observer's callback makes it report a loop (a window error)
  // whenever a hidden view with charts is shown.
  const resize = new ResizeObserver(() => requestAnimationFrame(() => plot.setSize({ width: Math.max(300, container.clientWidth), height: spec.heightPx })));
  resize.observe(container);
  return {
    plot,
    setWindow(fromMs, toMs) {
      window = { fromMs, toMs };
      plot.setScale('x', { min: fromMs, max: toMs });
    },
    setData(data) { plot.setData(/** @type {any} */ (data)); },
    destroy() { resize.disconnect(); plot.destroy(); },
  };
}

/**
 * A horizontal limit line across the whole window, so it reads as a limit even with one sample drawn.
 * @param {uPlot} u @param {{ value: () => number|null, stroke: string, dash: number[] } | undefined} level
 */
function drawLevel(u, level) {
  const value = level?.value();
  if (!level || value === null || value === undefined) return;
  const y = Math.round(u.valToPos(value, 'y', true));
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = level.stroke;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash(level.dash.map((d) => d * devicePixelRatio));
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

/** The qualified band shaded behind the lines. @param {uPlot} u @param {{ low: number, high: number, fill: string } | null} band */
function drawBand(u, band) {
  if (!band) return;
  const top = u.valToPos(band.high, 'y', true);
  const bottom = u.valToPos(band.low, 'y', true);
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = band.fill;
  ctx.fillRect(u.bbox.left, Math.min(top, bottom), u.bbox.width, Math.abs(bottom - top));
  ctx.restore();
}

/**
 * Keep the band's edges in view (with a little room), or zoom on the band when there is no data yet.
 * @param {[number, number]} range @param {{ low: number, high: number } | null} band @param {boolean} noData
 * @returns {[number, number]}
 */
function bandRange(range, band, noData) {
  if (!band) return range;
  const pad = (band.high - band.low) * 0.15;
  if (noData) return [band.low - pad, band.high + pad];
  return [Math.min(range[0], band.low - pad), Math.max(range[1], band.high + pad)];
}

/**
 * Pad the y range so lines do not touch the frame; power starts at 0, voltage zooms on its band.
 * @param {number|null} min @param {number|null} max @param {boolean} zeroBased @param {number|null} level kept in view
 * @returns {[number, number]}
 */
function yRange(min, max, zeroBased, level) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
    if (level === null) return [0, 1];
    min = max = level;
  }
  if (level !== null) { min = Math.min(min, level); max = Math.max(max, level); }
  const lo = zeroBased ? Math.min(0, min) : min;
  const pad = (max - lo) * 0.08 || Math.max(1, Math.abs(max) * 0.02);
  return [zeroBased && min >= 0 ? 0 : lo - pad, max + pad];
}
