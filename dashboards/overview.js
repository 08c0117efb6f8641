/**
 * Overview (the landing view): today's total and per-class load against yesterday, open alarms per
 * class and severity, concentrators online/offline, today's data completeness. Refreshed on a timer,
 * on alarm pushes (debounced) and whenever the view is shown.
 */
import { getOverview, getOverviewLoad } from './api.js';
import { createTimeChart } from './charts.js';
import { UTILITY_TZ } from './config.js';
import { el, formatNumber } from './format.js';
import { t } from './i18n.js';
import { alignYesterday, lastValue, localDay, previousDay } from './view-logic.js';

const CLASSES = ['KEY', 'TOP100', 'DH_KEY', 'DH_GROWTH', 'DEDICATED', 'LV_NONRES', 'RESIDENTIAL'];
const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];
const CLASS_COLOURS = ['#ff6f91', '#ffc75f', '#4fc3f7', '#3ccf6e', '#b388ff', '#f9f871', '#90a4ae'];
const REFRESH_MS = 30_000;
const ALARM_DEBOUNCE_MS = 1000;

/** @param {HTMLElement} root @param {{ onError: (err: unknown) => void }} opts */
export function createOverview(root, opts) {
  const kpis = el('div', { class: 'kpis' });
  const totalBox = el('div', { class: 'chart-box' });
  const classBox = el('div', { class: 'chart-box' });
  const classRows = el('tbody', {});
  root.replaceChildren(
    kpis,
    el('section', { class: 'chart', 'data-kind': 'total' }, el('h3', {}, t('ovTotalLoad')), totalBox),
    el('table', { class: 'class-table' },
      el('thead', {}, el('tr', {}, el('th', {}, t('classes')), el('th', { class: 'num' }, t('ovNow')), el('th', { class: 'num' }, t('ovYesterdaySameTime')),
        ...SEVERITIES.map((s) => el('th', { class: 'num' }, el('span', { class: `sev sev-${s}` }, t(`sev.${s}`)))))),
      classRows),
    el('section', { class: 'chart', 'data-kind': 'classes' }, el('h3', {}, t('ovClassLoad')), classBox),
  );

  let day = localDay(Date.now(), UTILITY_TZ);
  const blankWindow = { fromMs: 0, toMs: 1 };
  const totalChart = createTimeChart(totalBox, {
    lines: [{ label: t('today'), stroke: '#4fc3f7', width: 2}, { label: t('yesterday'), stroke: '#8d99a8', dash: [5, 4]}],
    unit: 'kW', heightPx: 240, ...blankWindow, zeroBased: true, timeLabel: t('time'),
  });
  const classChart = createTimeChart(classBox, {
    lines: CLASSES.map((c, i) => ({ label: t(`class.${c}`), stroke: CLASS_COLOURS[i]})),
    unit: 'kW', heightPx: 220, ...blankWindow, zeroBased: true, timeLabel: t('time'),
  });

  /** @type {any} */ let counts = null;
  /** @type {any} */ let today = null;
  /** @type {any} */ let yesterday = null;

  const kpi = (/** @type {string} */ key, /** @type {string} */ value, /** @type {string} */ sub = '') =>
    el('div', { class: 'kpi', 'data-kpi': key }, el('div', { class: 'kpi-label' }, t(key)), el('div', { class: 'kpi-value' }, value), el('div', { class: 'kpi-sub muted' }, sub));

  const render = () => {
    if (!counts || !today || !yesterday) return;
    const now = lastValue(today.total);
    const then = now ? yesterday.total[now.i] ?? null : null;
    const share = counts.completeness.share;
    kpis.replaceChildren(
      kpi('ovTotalNow', formatNumber(now?.value ?? null, 'kW', 0), `${t('yesterday')} ${formatNumber(then, 'kW', 0)}`),
      kpi('ovCompleteness', share === null ? '—' : `${(share * 100).toFixed(1)} %`, `${counts.completeness.received} / ${counts.completeness.expected}`),
      kpi('ovConcentrators', `${counts.concentrators.online} / ${counts.concentrators.online + counts.concentrators.offline + counts.concentrators.unknown}`,
        t('ovConcentratorSplit', counts.concentrators)),
    );
    classRows.replaceChildren(...CLASSES.map((c) => {
      const curve = today.classes[c] ?? [];
      const last = lastValue(curve);
      const prev = last ? (yesterday.classes[c] ?? [])[last.i] ?? null : null;
      const alarms = counts.alarms[c] ?? {};
      return el('tr', { 'data-class': c },
        el('td', {}, el('span', { class: `chip class-${c}` }, t(`class.${c}`))),
        el('td', { class: 'num now' }, formatNumber(last?.value ?? null, 'kW', 0)),
        el('td', { class: 'num muted' }, formatNumber(prev, 'kW', 0)),
        ...SEVERITIES.map((s) => el('td', { class: `num alarms-${s}` }, alarms[s] ? String(alarms[s]) : '·')));
    }));
    const win = { fromMs: today.ts[0], toMs: today.ts[today.ts.length - 1] };
    totalChart.setWindow(win.fromMs, win.toMs);
    totalChart.setData([today.ts, today.total, alignYesterday(today.ts, yesterday.total)]);
    classChart.setWindow(win.fromMs, win.toMs);
    classChart.setData([today.ts, ...CLASSES.map((c) => today.classes[c] ?? today.ts.map(() => null))]);
  };

  let generation = 0;
  const refresh = async () => {
    const gen = ++generation;
    day = localDay(Date.now(), UTILITY_TZ);
    try {
      const [c, td, yd] = await Promise.all([getOverview(), getOverviewLoad(day), getOverviewLoad(previousDay(day))]);
      if (gen !== generation) return;
      [counts, today, yesterday] = [c, td, yd];
      render();
      root.dataset.loadedAt = String(Date.now());
    } catch (err) {
      opts.onError(err);
    }
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let debounce;
  const ticker = setInterval(() => void refresh(), REFRESH_MS);

  return {
    refresh,
    /** An alarm changed somewhere: recount soon, once for a burst. */
    onAlarm() {
      clearTimeout(debounce);
      debounce = setTimeout(() => void refresh(), ALARM_DEBOUNCE_MS);
    },
    plots: () => ({ total: totalChart.plot, classes: classChart.plot }),
    destroy() {
      clearInterval(ticker);
      clearTimeout(debounce);
      generation++;
      totalChart.destroy();
      classChart.destroy();
      root.replaceChildren();
    },
  };
}
