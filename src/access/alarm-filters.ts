import { isCustomerClass } from '../domain/customer-class.js';

/**
 * The topic filters an alarm subscriber's credential is issued with: `alarms/{class}/{customer}/{meter}`
 * (src/notify/topic.ts), each level a literal or `+`, and `#` as the last level. The broker lets the
 * subscriber subscribe only within these.
 */
export const MAX_FILTERS = 100;
const MAX_FILTER_CHARS = 256;
const LEVELS = ['alarms', 'class', 'customer', 'meter'] as const;
// No alarm topic holds a control character ([MQTT-4.7.3-2] forbids NUL outright).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f]/;

export type FilterCheck = { ok: true } | { ok: false; reason: string };

export function checkAlarmFilter(filter: string): FilterCheck {
  if (filter.length === 0 || filter.length > MAX_FILTER_CHARS) return { ok: false, reason: `must be 1..${MAX_FILTER_CHARS} characters` };
  if (FORBIDDEN.test(filter)) return { ok: false, reason: 'must not contain control characters' };
  const levels = filter.split('/');
  if (levels[0] !== 'alarms') return { ok: false, reason: 'must start with alarms/' };
  const last = levels.length - 1;
  if (levels[last] !== '#' && levels.length !== LEVELS.length) return { ok: false, reason: 'must be alarms/{class}/{customer}/{meter}, or end in # earlier' };
  if (levels.length > LEVELS.length) return { ok: false, reason: 'has more than 4 levels' };
  for (let i = 1; i < levels.length; i++) {
    const level = levels[i];
    // [MQTT-4.7.1-2] '#' only as the whole last level; [MQTT-4.7.1-3] '+' only as a whole level.
    if (level === '#') {
      if (i !== last) return { ok: false, reason: '# must be the last level' };
      continue;
    }
    if (level === '+') continue;
    if (level === '') return { ok: false, reason: `${LEVELS[i]} level is empty` };
    if (/[+#]/.test(level)) return { ok: false, reason: `${LEVELS[i]} level mixes a wildcard with text` };
    if (i === 1 && !isCustomerClass(level) && level !== 'UNCLASSIFIED') return { ok: false, reason: `${level} is not a customer class` };
  }
  return { ok: true };
}

/** Every problem with a list of filters, as `filter: reason` lines; empty when the list is good. */
export function checkAlarmFilters(filters: readonly string[]): string[] {
  if (filters.length === 0) return ['at least one filter is needed'];
  if (filters.length > MAX_FILTERS) return [`at most ${MAX_FILTERS} filters`];
  return filters.flatMap((f) => {
    const check = checkAlarmFilter(f);
    return check.ok ? [] : [`${JSON.stringify(f)}: ${check.reason}`];
  });
}
