/** Customer view: archive card, meter table (pick one), range selector and the chosen meter's live charts. */
import { RANGES } from './config.js';
import { el, formatNumber } from './format.js';
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
  );

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
    onSample: (msg) => meterView?.onSample(msg),
    refill: () => meterView?.refill(),
    destroy() {
      if (meterView) {
        live.unsubscribe({ meters: [meterView.meterId] });
        meterView.destroy();
      }
      root.replaceChildren();
    },
  };
}
