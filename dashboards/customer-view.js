/** Customer view: archive card, meter table (pick one), range selector, the chosen meter's live charts, alarm history. */
import { listAlarms } from './api.js';
import { RANGES } from './config.js';
import { el, formatDateTime, formatNumber } from './format.js';
import { t } from './i18n.js';
import { createMeterView } from './meter-view.js';

/**
 * @param {HTMLElement} root
 * @param {{ customer: any, meterId?: string, range: 'today'|'last24h'|'last48h',
 *   live: ReturnType<typeof import('./live.js').connectLive>, onError: (err: unknown) => void,
 *   onRangeChange: (r: 'today'|'last24h'|'last48h') => void, onMeterChange: (meterId: string) => void }} opts
 */
export function createCustomerView(root, opts) {
  const { customer, live, onError } = opts;
  let range = opts.range;
  const meters = /** @type {any[]} */ (customer.meters ?? []);
  let meter = meters.find((m) => m.id === opts.meterId) ?? meters[0];
  /** @type {ReturnType<typeof createMeterView> | null} */
  let meterView = null;

  const chartsRoot = el('div', { class: 'charts' });
  const historyRows = el('tbody', {});
  const HISTORY_LIMIT = 50;
  const meterRows = new Map();

  const field = (/** @type {string} */ key, /** @type {Node|string} */ value) =>
    el('div', { class: 'field' }, el('dt', {}, t(key)), el('dd', {}, value));
  const classChips = el('span', { class: 'chips' },
    ...(customer.classes ?? []).map((/** @type {string} */ c) => el('span', { class: `chip class-${c}`, title: c }, t(`class.${c}`, undefined, c))));

  const meterTable = el('table', { class: 'meters' },
    el('thead', {}, el('tr', {}, ...['meter', 'wiring', 'nominal', 'rated', 'ct', 'pt', 'side', 'concentrator'].map((k) => el('th', {}, t(k))))),
    el('tbody', {}, ...meters.map((m) => {
      const row = el('tr', { 'data-meter': m.id, tabindex: '0' },
        el('td', { class: 'mono' }, m.id), el('td', {}, `${m.wiring} · ${t(`wiring.${m.wiring}`)}`),
        el('td', { class: 'num' }, formatNumber(m.nominalVoltageV, 'V', 0)), el('td', { class: 'num' }, formatNumber(m.ratedCurrentA, 'A', 1)),
        el('td', { class: 'num' }, String(m.ctRatio)), el('td', { class: 'num' }, String(m.ptRatio)),
        el('td', {}, t(m.valuesSide)), el('td', { class: 'mono' }, m.concentratorId ?? '—'));
      row.addEventListener('click', () => selectMeter(m));
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter') selectMeter(m); });
      meterRows.set(m.id, row);
      return row;
    })));

  const rangeSelect = /** @type {HTMLSelectElement} */ (el('select', { id: 'range', 'aria-label': t('range') },
    ...RANGES.map((r) => el('option', { value: r }, t(r)))));
  rangeSelect.value = range;
  rangeSelect.addEventListener('change', () => {
    range = /** @type {any} */ (rangeSelect.value);
    opts.onRangeChange(range);
    meterView?.setRange(range);
  });

  const openAlarmCount = (customer.openAlarms ?? []).length;
  root.replaceChildren(
    el('article', { class: 'card', 'data-customer': customer.id },
      el('header', { class: 'card-head' },
        el('h2', {}, customer.name), el('span', { class: 'mono muted' }, customer.id), classChips,
        openAlarmCount ? el('span', { class: 'badge' }, `${t('openAlarms')}: ${openAlarmCount}`) : ''),
      el('dl', { class: 'fields' },
        field('address', customer.address ?? '—'), field('phone', customer.phone ?? '—'),
        field('accountManager', customer.accountManager ?? '—'),
        field('contract', formatNumber(customer.contractKva, 'kVA', 0)),
        field('pfStandard', formatNumber(customer.pfStandard, '', 2))),
      meterTable),
    el('div', { class: 'toolbar' }, el('label', { for: 'range' }, t('range')), rangeSelect,
      el('span', { class: 'muted', id: 'chart-meter' }, '')),
    chartsRoot,
    el('section', { class: 'history' },
      el('h3', {}, t('alarmHistory')),
      el('table', { class: 'history-table alarm-table' },
        el('thead', {}, el('tr', {}, ...['severity', 'rule', 'phase', 'meter', 'start', 'clearedAt', 'state', 'comment'].map((k) => el('th', {}, t(k))))),
        historyRows)),
  );

  /** The customer's alarms, open and cleared, newest first. */
  const loadHistory = async () => {
    try {
      const { items } = await listAlarms({ customer: customer.id, state: 'all', limit: HISTORY_LIMIT });
      historyRows.replaceChildren(...(items.length ? items.map((/** @type {any} */ a) => el('tr', { 'data-alarm': a.id, class: `sev-${a.severity}${a.active ? '' : ' is-acked'}` },
        el('td', {}, el('span', { class: `sev sev-${a.severity}` }, t(`sev.${a.severity}`, undefined, a.severity))),
        el('td', { title: t(`rule.${a.rule}`, undefined, a.rule) }, el('b', {}, a.rule)),
        el('td', { class: 'center' }, a.phase || '—'),
        el('td', { class: 'mono' }, a.meterId),
        el('td', { class: 'mono' }, formatDateTime(a.startTs)),
        el('td', { class: 'mono' }, formatDateTime(a.clearTs)),
        el('td', {}, `${t(a.active ? 'stateActive' : 'stateCleared')} · ${t(a.acknowledged ? 'acked' : 'unacked')}`),
        el('td', { class: 'muted' }, a.ackBy ? `${a.ackBy}: ${a.ackComment ?? ''}` : '')))
        : [el('tr', {}, el('td', { colspan: '8', class: 'muted empty' }, t('noAlarmHistory')))]));
    } catch (err) {
      onError(err);
    }
  };
  void loadHistory();

  /** @param {any} m */
  function selectMeter(m) {
    if (!m) return;
    if (meterView) {
      live.unsubscribe({ meters: [meterView.meterId] });
      meterView.destroy();
    }
    meter = m;
    for (const [id, row] of meterRows) row.classList.toggle('selected', id === m.id);
    /** @type {HTMLElement} */ (root.querySelector('#chart-meter')).textContent = `${t('meter')} ${m.id} · ${m.wiring}`;
    meterView = createMeterView(chartsRoot, { customer, meter: m, range, onError });
    live.subscribe({ meters: [m.id] });
    opts.onMeterChange(m.id);
    void meterView.refill();
  }

  selectMeter(meter);

  return {
    customerId: customer.id,
    meterId: () => meter?.id,
    plots: () => meterView?.plots() ?? {},
    /** @param {any} msg */
    /** @param {any[]} msgs */
    onSamples: (msgs) => meterView?.onSamples(msgs),
    refill: () => { void loadHistory(); return meterView?.refill(); },
    /** @param {{ alarm: any }} msg */
    onAlarm: (msg) => { if (msg.alarm?.customer?.id === customer.id) void loadHistory(); },
    destroy() {
      if (meterView) {
        live.unsubscribe({ meters: [meterView.meterId] });
        meterView.destroy();
      }
      root.replaceChildren();
    },
  };
}
