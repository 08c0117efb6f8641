/**
 * Live charts of one meter: load curve against the contract capacity, phase voltages and currents.
 * Filled from the series API, then grown by WebSocket samples; `refill()` after a reconnect.
 */
import { getSeries } from './api.js';
import { createTimeChart } from './charts.js';
import { UTILITY_TZ } from './config.js';
import { el } from './format.js';
import { t } from './i18n.js';
import { constantLine, mergeSample, rangeWindow, toAligned } from './series.js';
import { voltageBand, withYesterday } from './view-logic.js';

const CONTRACT_COLOUR = '#ff8a3d';
const CONTRACT_DASH = [6, 4];
const YESTERDAY_COLOUR = '#8d99a8';
const BAND_FILL = 'rgba(60, 207, 110, 0.10)';
// Yesterday's curve is drawn 24 h later on today's axis: the utility zone (Asia/Shanghai) has no DST.
const DAY_MS = 86_400_000;
// Ranges of two days and more ask the server for at most about a point per pixel (min/max kept per bucket).
const DOWNSAMPLE_FROM_MS = 2 * DAY_MS;
const MAX_POINTS = 1200;
const PHASE_COLOURS = { a: '#f2c744', b: '#3ccf6e', c: '#ef5350' }; // 黄绿红: the A/B/C bus-bar colours used in Chinese substations

/** Channels the wiring has (domain.md 1.5): three-wire meters have no phase B, single-phase only A. @param {string} wiring */
export function phaseColumns(wiring) {
  if (wiring === '1P') return ['a'];
  if (wiring === '3P3W') return ['a', 'c'];
  return ['a', 'b', 'c'];
}

/** @param {string} wiring @param {string} col @param {'voltage'|'current'} kind */
function phaseLabel(wiring, col, kind) {
  if (wiring === '3P3W' && kind === 'voltage') return t(col === 'a' ? 'lineAB' : 'lineCB');
  return t(`phase${col.toUpperCase()}`);
}

/**
 * @param {HTMLElement} root
 * @param {{ customer: any, meter: any, range: 'today'|'last24h'|'last48h', onError: (err: unknown) => void }} opts
 */
export function createMeterView(root, opts) {
  const { customer, meter, onError } = opts;
  let range = opts.range;
  let win = rangeWindow(range, Date.now(), UTILITY_TZ);
  const contractKva = customer.contractKva ?? null;

  const phases = phaseColumns(meter.wiring);
  /** @type {Record<'load'|'voltage'|'current', { columns: string[], chart: import('./charts.js').TimeChart, raw: (number|null)[][], empty: HTMLElement }>} */
  const charts = /** @type {any} */ ({});

  /** @param {'load'|'voltage'|'current'} kind @param {string} titleKey @param {import('./charts.js').LineSpec[]} lines @param {string[]} columns @param {string} unit */
  const add = (kind, titleKey, lines, columns, unit) => {
    const box = el('div', { class: 'chart-box' });
    const empty = el('div', { class: 'chart-empty', hidden: '' }, t('noData'));
    root.append(el('section', { class: 'chart', 'data-kind': kind }, el('h3', {}, t(titleKey)), empty, box));
    const level = kind === 'load' ? { value: () => contractKva, stroke: CONTRACT_COLOUR, dash: CONTRACT_DASH } : undefined;
    const qualified = kind === 'voltage' ? voltageBand(meter.wiring, meter.nominalVoltageV) : null;
    const band = qualified ? { low: qualified.lowV, high: qualified.highV, fill: BAND_FILL } : null;
    const chart = createTimeChart(box, { lines, unit, heightPx: kind === 'load' ? 260 : 190, ...win, zeroBased: kind !== 'voltage', timeLabel: t('time'), level, band });
    charts[kind] = { columns, chart, raw: [[], ...columns.map(() => [])], empty };
  };

  add('load', 'loadCurve', [
    { label: 'P', stroke: '#4fc3f7', width: 2 },
    { label: 'Q', stroke: '#b388ff', width: 1 },
    { label: t('contractLine'), stroke: CONTRACT_COLOUR, dash: CONTRACT_DASH, width: 1.5, digits: 0, points: false },
    { label: t('yesterdayP'), stroke: YESTERDAY_COLOUR, dash: [3, 3], width: 1, points: false },
  ], ['p', 'q'], 'kW');
  add('voltage', 'voltage', phases.map((c) => ({ label: phaseLabel(meter.wiring, c, 'voltage'), stroke: PHASE_COLOURS[/** @type {'a'} */ (c)] })), phases, 'V');
  add('current', 'current', phases.map((c) => ({ label: phaseLabel(meter.wiring, c, 'current'), stroke: PHASE_COLOURS[/** @type {'a'} */ (c)], digits: 2 })), phases, 'A');

  /** @param {'load'|'voltage'|'current'} kind */
  const render = (kind) => {
    const c = charts[kind];
    if (kind !== 'load') {
      c.chart.setData(c.raw);
    } else {
      const [ts, p, q, prevP] = withYesterday(c.raw, yesterday.ts, yesterday.p, DAY_MS);
      c.chart.setData([ts, p, q, constantLine(ts, contractKva), prevP]);
    }
    c.empty.hidden = c.raw[0].length > 0;
  };

  /** P of the day before the window, drawn one day later as yesterday's curve. */
  let yesterday = { ts: /** @type {number[]} */ ([]), p: /** @type {(number|null)[]} */ ([]) };

  /** @type {any[] | null} samples that arrived while a refill was in flight */
  let pending = null;
  let generation = 0;

  const refill = async () => {
    const gen = ++generation;
    pending = [];
    win = rangeWindow(range, Date.now(), UTILITY_TZ);
    const kinds = /** @type {const} */ (['load', 'voltage', 'current']);
    const maxPoints = win.toMs - win.fromMs >= DOWNSAMPLE_FROM_MS ? MAX_POINTS : undefined;
    const results = await Promise.allSettled([
      ...kinds.map((k) => getSeries(meter.id, k, win.fromMs, win.toMs, maxPoints)),
      getSeries(meter.id, 'load', win.fromMs - DAY_MS, win.toMs - DAY_MS, maxPoints),
    ]);
    if (gen !== generation) return;
    const prev = results[kinds.length];
    if (prev.status === 'fulfilled') yesterday = { ts: prev.value.ts, p: prev.value.values.p ?? [] };
    else onError(prev.reason);
    results.slice(0, kinds.length).forEach((r, i) => {
      const c = charts[kinds[i]];
      c.chart.setWindow(win.fromMs, win.toMs);
      if (r.status === 'fulfilled') c.raw = toAligned(r.value, c.columns);
      else onError(r.reason);
      render(kinds[i]);
    });
    const late = pending;
    pending = null;
    applySamples(late);
  };

  /**
   * Merge one pushed sample; returns the chart it changed, or null. Drawing is left to the caller
   * so a coalesced batch redraws each chart once.
   * @param {any} msg @returns {'load'|'voltage'|'current'|null}
   */
  const mergeOne = (msg) => {
    const kind = /** @type {'load'} */ (msg.kind);
    const c = charts[kind];
    if (!c || msg.meterId !== meter.id) return null;
    if (pending) { pending.push(msg); return null; }
    slideWindow(msg.ts);
    if (msg.ts < win.fromMs || msg.ts > win.toMs) return null;
    c.raw = mergeSample(c.raw, msg.ts, c.columns.map((col) => msg.values?.[col] ?? null), win.fromMs);
    return kind;
  };

  /** @param {any[]} msgs */
  const applySamples = (msgs) => {
    const changed = new Set(msgs.map(mergeOne));
    for (const kind of changed) if (kind) render(kind);
  };

  /** Sliding ranges follow the clock; 'today' stays on its day. @param {number} [atLeastMs] */
  const slideWindow = (atLeastMs = 0) => {
    if (range === 'today') return;
    const next = rangeWindow(range, Math.max(Date.now(), atLeastMs), UTILITY_TZ);
    if (next.toMs <= win.toMs) return;
    win = next;
    for (const c of Object.values(charts)) c.chart.setWindow(win.fromMs, win.toMs);
  };
  const ticker = setInterval(slideWindow, 60_000);

  return {
    meterId: meter.id,
    /** uPlot instances, for tests and the console. */
    plots: () => Object.fromEntries(Object.entries(charts).map(([k, c]) => [k, c.chart.plot])),
    refill,
    onSamples: applySamples,
    /** @param {'today'|'last24h'|'last48h'} next */
    setRange(next) { range = next; return refill(); },
    destroy() {
      clearInterval(ticker);
      generation++;
      for (const c of Object.values(charts)) c.chart.destroy();
      root.replaceChildren();
    },
  };
}
