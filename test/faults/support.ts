import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ARCHIVE_COLUMNS } from '../../src/archive/columns.js';
import type { Target } from '../support/api.js';
import { getJson } from '../support/service.js';

/** Whether the long variants run (by hand, never in CI). */
export const FAULT_LONG = process.env.FAULT_LONG === '1';

/** values_side primary: stored values are the published ones, unscaled. */
export function archiveCsv(meterIds: string[]): string {
  const rows = meterIds.map((m, i) => `FC${i},Fault ${i},LV_NONRES,Test Road ${i},,Zhou,,,,,${m},DT01,3P4W,380,100,1,1,primary`);
  return [ARCHIVE_COLUMNS.join(','), ...rows].join('\n');
}

export async function importArchive(service: Target, meterIds: string[]): Promise<void> {
  const res = await fetch(`${service.base}/api/archive/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${service.token}` },
    body: archiveCsv(meterIds),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

export interface Series {
  ts: number[];
  values: { p: (number | null)[] };
}

export async function storedLoad(service: Target, meterIds: string[], fromMs: number, toMs: number): Promise<Map<string, Series>> {
  const all = await Promise.all(meterIds.map((m) => getJson<Series>(`${service.base}/api/meters/${m}/series?kind=load&from=${fromMs}&to=${toMs}`, service.token)));
  return new Map(meterIds.map((m, i) => [m, all[i]]));
}

/** Every sample of /metrics as name{labels} -> value. */
export async function scrape(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('loadwatch_ingest')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Sum of every series of one metric (all label values). */
export function total(metrics: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [key, value] of metrics) if (key === name || key.startsWith(`${name}{`)) sum += value;
  return sum;
}

/** Resident set size of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
