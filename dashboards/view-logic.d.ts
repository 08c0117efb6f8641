// Types for view-logic.js (plain JS for the browser, no build step), so the TypeScript tests type-check.
interface Filterable { rule: string; severity: string; customer?: { classes?: string[]; accountManager?: string } }
export function filterAlarms<A extends Filterable>(alarms: A[], f: { cls?: string; severity?: string; rule?: string; manager?: string }): A[];
export function distinct(values: string[]): string[];
export function localDay(atMs: number, timeZone: string): string;
export function previousDay(day: string): string;
export function projectPoints<P extends { lat: number; lon: number }>(points: P[], widthPx: number, heightPx: number, padPx: number): (P & { x: number; y: number })[];
export function voltageBand(wiring: string, nominalV: number): { lowV: number; highV: number } | null;
export function alignYesterday(todayTs: number[], yesterday: (number | null)[]): (number | null)[];
export function lastValue(curve: (number | null)[]): { i: number; value: number } | null;
export function withYesterday(data: (number | null)[][], yTs: number[], yValues: (number | null)[], dayMs: number): (number | null)[][];
