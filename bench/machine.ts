/** What the machine is doing: /proc readings for outside-load flags and a child's memory. */
import { readdirSync, readFileSync } from 'node:fs';
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

/** Linux's USER_HZ: the unit of /proc/<pid>/stat times on every platform the bench runs on. */
const TICKS_PER_SECOND = 100;

function statFields(pid: string | number): { comm: string; fields: string[] } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    // Fields after the ")" of comm: utime, stime, cutime, cstime are the 12th to 15th.
    return { comm: text.slice(text.indexOf('(') + 1, close), fields: text.slice(close + 2).split(' ') };
  } catch {
    return undefined; // the process has just exited
  }
}

/**
 * CPU seconds used so far by one process (every thread) and by PostgreSQL: its live processes plus what the
 * postmaster collected from the backends that exited (cutime, cstime), so a delta stays right across exits.
 */
export function cpuSeconds(pid: number): { process: number; postgres: number } {
  const own = statFields(pid);
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statFields(entry);
    if (s?.comm !== 'postgres') continue;
    const f = s.fields.map(Number);
    postgres += f[11] + f[12] + (statFields(f[1])?.comm === 'postgres' ? 0 : f[13] + f[14]);
  }
  const ticks = own ? Number(own.fields[11]) + Number(own.fields[12]) : NaN;
  return { process: ticks / TICKS_PER_SECOND, postgres: postgres / TICKS_PER_SECOND };
}
