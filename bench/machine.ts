/** What the machine is doing: /proc readings for outside-load flags and a child's memory. */
import { readFileSync } from 'node:fs';
import { ownCpuTicks } from './children.js';

function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Fraction (0-1) of all cores busy over the next ms milliseconds with someone else's work: the
 * machine's busy ticks minus those of the bench and its children (PostgreSQL's own after-work,
 * such as autovacuum of our rows, still counts as outside).
 */
export async function outsideBusy(ms = 500): Promise<number> {
  const a = cpuTicks();
  const ownA = ownCpuTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTicks();
  const own = ownCpuTicks() - ownA;
  return b.total > a.total ? Math.max(0, (b.busy - a.busy - own) / (b.total - a.total)) : 0;
}

export function loadAvg1(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
