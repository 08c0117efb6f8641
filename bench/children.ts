/** Every process the bench starts, killed on exit, failure or Ctrl-C; and a JSON-lines link to each. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const live = new Set<ChildProcess>();

function killAll(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (killAll(), process.exit(130)));

/** Spawns under bash so `ulimit -n` can be raised for this child alone, or to the hard limit where that is all we may (exec keeps the pid). */
export function spawnTracked(argv: string[], env: Record<string, string> = {}, fdLimit = 65_536): ChildProcess {
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const proc = spawn('bash', ['-c', `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${quoted}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}

/** CPU ticks (USER_HZ) used so far by the bench and every child it started. */
export function ownCpuTicks(): number {
  let ticks = 0;
  for (const pid of [process.pid, ...[...live].map((p) => p.pid)]) {
    try {
      // Fields after the ")" of comm: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The child has just exited: its ticks no longer count.
    }
  }
  return ticks;
}

export async function stopTracked(proc: ChildProcess, graceMs = 5_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** JSON events from a child's stdout; next(pred) resolves with the first matching one (or rejects on timeout/exit). */
export class JsonLink {
  private readonly seen: Record<string, unknown>[] = [];
  private waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  private stderr = '';

  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const w = this.waiters.find((x) => x.pred(e));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(e);
      } else this.seen.push(e);
    });
    proc.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-4000)));
  }

  send(command: Record<string, unknown>): void {
    this.proc.stdin!.write(JSON.stringify(command) + '\n');
  }

  next(pred: (e: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    const i = this.seen.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${timeoutMs} ms. stderr: ${this.stderr}`)), timeoutMs);
      const onExit = (code: number | null) => reject(new Error(`${what}: process exited (${code}). stderr: ${this.stderr}`));
      this.proc.once('exit', onExit);
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          this.proc.off('exit', onExit);
          resolve(e);
        },
      });
    });
  }
}

export const nodeTsx = (file: string, extra: string[] = []) => [process.execPath, ...extra, '--import', 'tsx', resolve(ROOT, file)];

/** The open-files limit a running child actually got. */
export function fdLimitOf(pid: number): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return m ? Number(m[1]) : Infinity;
}
