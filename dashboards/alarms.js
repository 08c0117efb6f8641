/**
 * Alarm board: open alarms of all customers, most severe and newest first, live, filtered, with acknowledge
 * and clear for roles that may act (a viewer sees the board without the buttons).
 */
import { ackAlarm, clearAlarm, listAlarms } from './api.js';
import { applyAlarmChange, compareAlarms } from './alarm-order.js';
import { el, formatDateTime, formatNumber } from './format.js';
import { t } from './i18n.js';
import { distinct, filterAlarms } from './view-logic.js';

/** Voltage rules carry volts; other rules' peak values are shown without a unit we cannot be sure of. @param {string} rule */
const peakUnit = (rule) => (rule.startsWith('V') ? 'V' : '');

/**
 * @param {{ table: HTMLTableSectionElement, count: HTMLElement, dialog: HTMLDialogElement, filters: HTMLElement,
 *   canAct: () => boolean, onChange?: () => void, onError: (err: unknown) => void, onOpenCustomer: (id: string, meterId: string) => void }} opts
 */
export function createAlarmList(opts) {
  /** @type {any[]} */
  let alarms = [];
  /** @type {Set<string>} ids to flash once, just pushed live */
  const fresh = new Set();
  /** @type {{ cls: string, severity: string, rule: string, manager: string }} */
  const filter = { cls: '', severity: '', rule: '', manager: '' };

  /** @param {'cls'|'severity'|'rule'|'manager'} key @param {string} allKey @param {() => [string, string][]} options value, label */
  const filterSelect = (key, allKey, options) => {
    const select = /** @type {HTMLSelectElement} */ (el('select', { 'data-filter': key, 'aria-label': t(allKey) }));
    select.addEventListener('change', () => { filter[key] = select.value; render(); });
    return { select, fill() {
      const keep = filter[key];
      select.replaceChildren(el('option', { value: '' }, t(allKey)), ...options().map(([v, label]) => el('option', { value: v }, label)));
      select.value = options().some(([v]) => v === keep) ? keep : '';
      filter[key] = select.value;
    } };
  };
  const selects = [
    filterSelect('cls', 'allClasses', () => ['KEY', 'TOP100', 'DH_KEY', 'DH_GROWTH', 'DEDICATED', 'LV_NONRES', 'RESIDENTIAL'].map((c) => [c, t(`class.${c}`)])),
    filterSelect('severity', 'allSeverities', () => ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'].map((s) => [s, t(`sev.${s}`)])),
    filterSelect('rule', 'allRules', () => distinct([...alarms.map((a) => a.rule), filter.rule]).map((r) => [r, `${r} ${t(`rule.${r}`, undefined, '')}`])),
    filterSelect('manager', 'allManagers', () => distinct([...alarms.map((a) => a.customer?.accountManager ?? ''), filter.manager]).map((m) => [m, m])),
  ];
  opts.filters.replaceChildren(...selects.map((f) => f.select));

  const reload = async () => {
    try {
      const res = await listAlarms({ state: 'open', limit: 200 });
      alarms = res.items.filter((/** @type {any} */ a) => a.active).sort(compareAlarms);
      render();
    } catch (err) {
      opts.onError(err);
    }
  };

  /** @param {{ change: string, alarm: any }} msg */
  const onAlarm = (msg) => {
    alarms = applyAlarmChange(alarms, msg.change, msg.alarm);
    if (msg.change === 'created' || msg.change === 'escalated') fresh.add(msg.alarm.id);
    render();
  };

  /** The actions cell: acknowledged state or its button, and clear; read-only roles see the state only. @param {any} a */
  const actions = (a) => {
    if (a.acknowledged) {
      const acked = el('span', { class: 'acked', title: a.ackComment ?? '' }, `✓ ${t('acked')}`, el('br'), el('small', { class: 'muted' }, t('ackedBy', { by: a.ackBy ?? '' })));
      if (!opts.canAct()) return [acked];
      return [acked, ' ', button(a, 'clear')];
    }
    if (!opts.canAct()) return [el('span', { class: 'muted', title: t('readOnly') }, t('unacked'))];
    return [button(a, 'ack'), ' ', button(a, 'clear')];
  };

  /** @param {any} a @param {'ack'|'clear'} action */
  const button = (a, action) => {
    const b = action === 'ack'
      ? el('button', { type: 'button', class: 'ack', 'data-ack': a.id }, t('ack'))
      : el('button', { type: 'button', class: 'clear', 'data-clear': a.id, title: t('clearTitle') }, t('clear'));
    b.addEventListener('click', () => act(a, action));
    return b;
  };

  /** @param {any} a */
  const row = (a) => {
    const customerLink = el('a', { href: `#/customer/${encodeURIComponent(a.customer?.id ?? '')}` }, a.customer?.name ?? '—');
    customerLink.addEventListener('click', (e) => { e.preventDefault(); opts.onOpenCustomer(a.customer.id, a.meterId); });
    const tr = el('tr', { 'data-alarm': a.id, class: `sev-${a.severity}${a.acknowledged ? ' is-acked' : ''}${fresh.has(a.id) ? ' fresh' : ''}` },
      el('td', {}, el('span', { class: `sev sev-${a.severity}` }, t(`sev.${a.severity}`, undefined, a.severity))),
      el('td', { title: t(`rule.${a.rule}`, undefined, a.rule) }, el('b', {}, a.rule), ' ', el('span', { class: 'muted' }, t(`rule.${a.rule}`, undefined, ''))),
      el('td', { class: 'center' }, a.phase || '—'),
      el('td', {}, customerLink),
      el('td', { class: 'mono' }, a.meterId),
      el('td', { class: 'mono' }, formatDateTime(a.startTs)),
      el('td', { class: 'num' }, formatNumber(a.peakValue, peakUnit(a.rule)),
        a.threshold !== null && a.threshold !== undefined ? el('small', { class: 'muted' }, ` / ${formatNumber(a.threshold)}`) : ''),
      el('td', { class: 'actions' }, ...actions(a)));
    return tr;
  };

  const render = () => {
    for (const f of selects) f.fill();
    const shown = filterAlarms(alarms, filter);
    opts.count.textContent = shown.length === alarms.length ? String(alarms.length) : `${shown.length} / ${alarms.length}`;
    opts.table.replaceChildren(...(shown.length
      ? shown.map(row)
      : [el('tr', {}, el('td', { colspan: '8', class: 'muted empty' }, t('noAlarms')))]));
    fresh.clear();
  };

  /**
   * Acknowledge or clear with a comment; the server records the signed-in person as the actor, and every other
   * page hears it over the live stream. @param {any} a @param {'ack'|'clear'} action
   */
  const act = async (a, action) => {
    const comment = await askComment(a, action);
    if (comment === null) return;
    try {
      const updated = action === 'ack' ? await ackAlarm(a.id, comment) : await clearAlarm(a.id, comment);
      alarms = applyAlarmChange(alarms, action === 'ack' ? 'acknowledged' : 'cleared', updated);
      render();
      opts.onChange?.();
    } catch (err) {
      opts.onError(err);
    }
  };

  /** Resolves with the comment, or null when cancelled. @param {any} a @param {'ack'|'clear'} action @returns {Promise<string|null>} */
  const askComment = (a, action) => new Promise((resolve) => {
    const { dialog } = opts;
    /** @type {HTMLElement} */ (dialog.querySelector('h3')).textContent = t(action === 'ack' ? 'ackTitle' : 'clearTitle');
    /** @type {HTMLElement} */ (dialog.querySelector('button[value="ok"]')).textContent = t(action === 'ack' ? 'ack' : 'clear');
    /** @type {HTMLElement} */ (dialog.querySelector('.ack-subject')).textContent =
      `${a.rule} ${a.phase || ''} · ${a.customer?.name ?? ''} · ${a.meterId}`;
    const text = /** @type {HTMLTextAreaElement} */ (dialog.querySelector('textarea'));
    text.value = '';
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok' ? text.value.trim() : null), { once: true });
    dialog.showModal();
    text.focus();
  });

  return { reload, onAlarm, render };
}
