/** Grid view (#/meters/<id>,<id>,…): up to 20 meters' live P curves side by side, over the last 24 h. */
import { getSeries } from './api.js';
import { createTimeChart } from './charts.js';
import { UTILITY_TZ } from './config.js';
import { el } from './format.js';
import { t } from './i18n.js';
import { mergeSample, rangeWindow, toAligned } from './series.js';

/** Beyond this a wall of charts stops being readable, and each one costs a canvas redraw per batch. */
export const MAX_GRID_METERS = 20;
const P_COLOUR = '#4fc3f7';

/**
 * @param {HTMLElement} root
 * @param {{ meterIds: string[], onError: (err: unknown) => void }} opts
 */
export function createMeterGrid(root, opts) {
  const meterIds = opts.meterIds.slice(0, MAX_GRID_METERS);
  // A sliding window, so a grid left open across midnight keeps showing fresh points.
  let win = rangeWindow('last24h', Date.now(), UTILITY_TZ);
  const grid = el('div', { class: 'meter-grid' });
  root.replaceChildren(el('h2', {}, t('gridTitle', { n: String(meterIds.length) })), grid);

  /** @type {Map<string, { chart: import('./charts.js').TimeChart, raw: (number|null)[][] }>} */
  const cells = new Map();
  for (const id of meterIds) {
    const box = el('div', { class: 'chart-box' });
    grid.append(el('section', { class: 'chart', 'data-meter': id }, el('h3', {}, `${t('meter')} ${id}`), box));
    const chart = createTimeChart(box, {
      lines: [{ label: 'P', stroke: P_COLOUR, width: 1.5 }], unit: 'kW', heightPx: 150, ...win, zeroBased: true, timeLabel: t('time'),
    });
    cells.set(id, { chart, raw: [[], []] });
  }

  /** Samples pushed before a meter's history arrived are merged after it. @type {Map<string, any[]>} */
  const early = new Map(meterIds.map((id) => [id, []]));

  const refill = async () => {
    win = rangeWindow('last24h', Date.now(), UTILITY_TZ);
    for (const id of meterIds) early.set(id, []);
    await Promise.all(meterIds.map(async (id) => {
      const cell = /** @type {NonNullable<ReturnType<typeof cells.get>>} */ (cells.get(id));
      try {
        cell.raw = toAligned(await getSeries(id, 'load', win.fromMs, win.toMs), ['p']);
      } catch (err) {
        opts.onError(err);
      }
      cell.chart.setWindow(win.fromMs, win.toMs);
      const late = early.get(id) ?? [];
      early.delete(id);
      for (const msg of late) merge(msg);
      cell.chart.setData(cell.raw);
    }));
  };

  /** @param {any} msg @returns {string|null} the meter whose chart changed */
  const merge = (msg) => {
    const cell = cells.get(msg.meterId);
    if (!cell || msg.kind !== 'load') return null;
    const waiting = early.get(msg.meterId);
    if (waiting) { waiting.push(msg); return null; }
    if (msg.ts > win.toMs) {
      win = rangeWindow('last24h', msg.ts, UTILITY_TZ);
      for (const c of cells.values()) c.chart.setWindow(win.fromMs, win.toMs);
    }
    if (msg.ts < win.fromMs) return null;
    cell.raw = mergeSample(cell.raw, msg.ts, [msg.values?.p ?? null], win.fromMs);
    return msg.meterId;
  };

  return {
    meterIds,
    /** uPlot instances by meter id, for tests and the console. */
    plots: () => Object.fromEntries([...cells].map(([id, c]) => [id, c.chart.plot])),
    refill,
    /** A coalesced batch redraws each changed chart once. @param {any[]} msgs */
    onSamples(msgs) {
      const changed = new Set(msgs.map(merge));
      for (const id of changed) if (id) cells.get(id)?.chart.setData(cells.get(id)?.raw ?? []);
    },
    destroy() {
      for (const c of cells.values()) c.chart.destroy();
      root.replaceChildren();
    },
  };
}
