/** Open-alarm list for all customers: most severe and newest first, live, with acknowledge. */
import { ackAlarm, listAlarms } from './api.js';
import { applyAlarmChange, compareAlarms } from './alarm-order.js';
import { el, formatDateTime, formatNumber } from './format.js';
import { t } from './i18n.js';

/** Voltage rules carry volts; other rules' peak values are shown without a unit we cannot be sure of. @param {string} rule */
const peakUnit = (rule) => (rule.startsWith('V') ? 'V' : '');

/**
 * @param {{ table: HTMLTableSectionElement, count: HTMLElement, dialog: HTMLDialogElement,
 *   dispatcher: () => string, onError: (err: unknown) => void, onOpenCustomer: (id: string, meterId: string) => void }} opts
 */
export function createAlarmList(opts) {
  /** @type {any[]} */
  let alarms = [];
  /** @type {Set<string>} ids to flash once, just pushed live */
  const fresh = new Set();

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

  /** @param {any} a */
  const row = (a) => {
    const action = a.acknowledged
      ? el('span', { class: 'acked', title: a.ackComment ?? '' }, `✓ ${t('acked')}`, el('br'), el('small', { class: 'muted' }, t('ackedBy', { by: a.ackBy ?? '' })))
      : el('button', { type: 'button', class: 'ack', 'data-ack': a.id }, t('ack'));
    if (!a.acknowledged) action.addEventListener('click', () => acknowledge(a));
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
      el('td', {}, action));
    return tr;
  };

  const render = () => {
    opts.count.textContent = String(alarms.length);
    opts.table.replaceChildren(...(alarms.length
      ? alarms.map(row)
      : [el('tr', {}, el('td', { colspan: '8', class: 'muted empty' }, t('noAlarms')))]));
    fresh.clear();
  };

  /** @param {any} a */
  const acknowledge = async (a) => {
    const by = opts.dispatcher();
    if (!by) { opts.onError(new Error(t('needName'))); return; }
    const comment = await askComment(a);
    if (comment === null) return;
    try {
      const updated = await ackAlarm(a.id, by, comment);
      alarms = applyAlarmChange(alarms, 'acknowledged', updated);
      render();
    } catch (err) {
      opts.onError(err);
    }
  };

  /** Resolves with the comment, or null when cancelled. @param {any} a @returns {Promise<string|null>} */
  const askComment = (a) => new Promise((resolve) => {
    const { dialog } = opts;
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
