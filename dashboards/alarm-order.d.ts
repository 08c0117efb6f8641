// Types for alarm-order.js (plain JS for the browser, no build step), so the TypeScript tests type-check.
export const SEVERITIES: string[];
interface Orderable { id: string; severity: string; startTs: string; active: boolean }
export function compareAlarms(a: Orderable, b: Orderable): number;
export function applyAlarmChange<A extends Orderable>(list: A[], change: string, alarm: A): A[];
