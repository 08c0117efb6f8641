import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptFlags } from '../support/start-flags.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every variable src/config.ts reads: the child gets only the ones a test sets, never the runner's. */
const CONFIG_KEYS = /^(MQTT_|HTTP_|DATA_DIR$|DATABASE_|UTILITY_TZ$|LOG_LEVEL$|MAX_FUTURE_SKEW_S$|QUARANTINE_|JOURNAL_|INGEST_)/;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `npm start` as an operator runs it: `node <its flags> --import tsx src/main.ts` in the repository root. */
export class ChildService {
  readonly startedAtMs = performance.now();
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  /** MQTT_ALLOW_ANONYMOUS defaults to true (startup is not about device security); a test may pass 'false'. */
  constructor(env: Record<string, string>) {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !CONFIG_KEYS.test(key)));
    this.child = spawn(process.execPath, [...startScriptFlags(), '--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...inherited, MQTT_ALLOW_ANONYMOUS: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the exit, or kills the child and rejects when it runs longer than timeoutMs. */
  async exit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`still running after ${timeoutMs} ms; stderr:\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls stderr until pattern matches; returns the match and the ms since spawn. Rejects if the child exits first. */
  async waitForStderr(pattern: RegExp, timeoutMs: number): Promise<{ match: RegExpMatchArray; afterMs: number }> {
    const deadline = Date.now() + timeoutMs;
    let exit: Exit | undefined;
    void this.exited.then((e) => (exit = e));
    for (;;) {
      const match = this.stderr.match(pattern);
      if (match) return { match, afterMs: Math.round(performance.now() - this.startedAtMs) };
      if (exit) throw new Error(`exited (${JSON.stringify(exit)}) before ${pattern}; stderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} on stderr after ${timeoutMs} ms; stderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Test cleanup: a child that is still running is killed outright. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** A listening socket that holds a port; port 0 = any free port. Rejects with EADDRINUSE when the port is taken. */
export function occupyPort(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export const portOf = (server: Server) => (server.address() as { port: number }).port;

export const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
