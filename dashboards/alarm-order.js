/** Pure alarm-list logic: ordering and applying live changes. */

/** Highest first (domain.md 6.1). */
export const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];

/** @param {string} s */
const rank = (s) => {
  const i = SEVERITIES.indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
};

/**
 * Most severe first, then newest start first; ties by id for a stable order.
 * @param {{ id: string, severity: string, startTs: string }} a
 * @param {{ id: string, severity: string, startTs: string }} b
 */
export function compareAlarms(a, b) {
  return rank(a.severity) - rank(b.severity)
    || Date.parse(b.startTs) - Date.parse(a.startTs)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Apply one live change to the open list: cleared alarms leave it, every other change upserts.
 * @template {{ id: string, severity: string, startTs: string, active: boolean }} A
 * @param {A[]} list @param {string} change @param {A} alarm
 * @returns {A[]}
 */
export function applyAlarmChange(list, change, alarm) {
  const rest = list.filter((a) => a.id !== alarm.id);
  if (change === 'cleared' || !alarm.active) return rest;
  return [...rest, alarm].sort(compareAlarms);
}
