/** What the scenarios share: options, the service, the workload, and the record of each phase. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from './options.js';
import { loadAvg1, outsideBusy as measureOutsideBusy } from './machine.js';
import type { ServiceChild } from './service.js';
import { QUARTER_MS, type Sender, type Workload } from './workload.js';

export interface Phase {
  name: string;
  seconds: number;
  /** Share of both cores busy just before the phase, while the bench was idle: someone else's load. */
  outsideBusy: number;
  loadAvg1: number;
  disturbed: boolean;
}

/** Half a core of someone else's work is enough to move these numbers. */
const DISTURBED_BUSY = 0.25;

export interface Ctx {
  opts: Options;
  svc: ServiceChild;
  schema: string;
  workload: Workload;
  tmpDir: string;
  phases: Phase[];
  results: Record<string, number>;
  lines: string[];
  notes: string[];
  /** Next unused 15-minute step for published samples; every phase publishes fresh (meter, ts) keys. */
  tsCursorMs: number;
}

export function writeSenders(ctx: Ctx, name: string, senders: Sender[]): string {
  const file = join(ctx.tmpDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(senders));
  return file;
}

export function advanceCursor(ctx: Ctx, lastTsMs: number): void {
  ctx.tsCursorMs = Math.max(ctx.tsCursorMs, lastTsMs) + QUARTER_MS;
}

/** Runs fn as a named phase, noting outside CPU load measured just before it. */
export async function phase<T>(ctx: Ctx, name: string, fn: () => Promise<T>): Promise<T> {
  const outsideBusy = await measureOutsideBusy(500);
  const load = loadAvg1();
  const started = performance.now();
  const result = await fn();
  const p: Phase = { name, seconds: (performance.now() - started) / 1000, outsideBusy, loadAvg1: load, disturbed: outsideBusy > DISTURBED_BUSY };
  ctx.phases.push(p);
  log(ctx, `  phase ${name}: ${p.seconds.toFixed(1)} s, outside load ${(outsideBusy * 100).toFixed(0)}% of 2 cores, loadavg ${load}${p.disturbed ? '  [DISTURBED]' : ''}`);
  return result;
}

export function log(ctx: Ctx, line: string): void {
  ctx.lines.push(line);
  process.stderr.write(line + '\n');
}

/** Waits until the service has nothing queued, or gives up after timeoutMs and says so. */
export async function drained(ctx: Ctx, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = await ctx.svc.metrics();
    if (m.backlog === 0 && m.rulesPending === 0) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  ctx.notes.push(`the service still had a backlog ${timeoutMs / 1000} s after a phase`);
  return false;
}

export const round = (x: number, digits = 0) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : NaN);
