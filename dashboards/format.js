/** Display formatting in the utility's zone. */
import { UTILITY_TZ } from './config.js';
import { getLocale } from './i18n.js';

const DATE_TIME = new Intl.DateTimeFormat('en-US', {
  timeZone: UTILITY_TZ, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** 'MM-DD HH:mm' in the utility's zone: one short, locale-neutral form for dense tables. @param {string|number|null|undefined} ts */
export function formatDateTime(ts) {
  if (ts === null || ts === undefined) return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '—';
  const parts = Object.fromEntries(DATE_TIME.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** @param {number|null|undefined} value @param {string} [unit] @param {number} [digits] */
export function formatNumber(value, unit = '', digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = value.toLocaleString(getLocale() === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

/**
 * Build an element: el('td', { class: 'x' }, 'text', child).
 * @param {string} tag @param {Record<string, string>} [attrs] @param {...(Node|string)} children
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
