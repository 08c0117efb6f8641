// Types for series.js (plain JS for the browser, no build step), so the TypeScript tests type-check.
export type RangeKey = 'today' | 'last24h' | 'last48h';
export function zoneOffsetMs(atMs: number, zone: string): number;
export function startOfDayMs(atMs: number, zone: string): number;
export function rangeWindow(range: RangeKey, nowMs: number, zone: string): { fromMs: number; toMs: number };
export function toAligned(res: { ts: number[]; values: Record<string, (number | null)[]> }, columns: readonly string[]): (number | null)[][];
export function mergeSample(data: (number | null)[][], tsMs: number, ys: (number | null)[], fromMs: number): (number | null)[][];
export function constantLine(xs: (number | null)[], value: number | null): (number | null)[];
