import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authedApi, readAdminToken, type Api } from './api.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const READY_MSG = 'loadwatch is running';

export interface LogLine {
  msg?: string;
  [k: string]: unknown;
}

export interface ChildService {
  proc: ChildProcess;
  httpPort: number;
  mqttPort: number;
  base: string;
  mqttUrl: string;
  /** Spawn to the "loadwatch is running" log line. */
  startMs: number;
  /** Every JSON log line seen so far on stdout. */
  lines: LogLine[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stderr so far, for failure messages. */
  stderr(): string;
  /** The admin token from DATA_DIR/admin-token (read when first used). */
  readonly token: string;
  /** fetch(base + path) as the admin. */
  api: Api;
  /** Everything written to stdout so far, JSON or not (the secrets-in-logs test greps it whole). */
  stdout(): string;
}

/**
 * The service as its operators run it (`node --import tsx src/main.ts`), so a test can SIGKILL it
 * for real. Rejects (and kills the child) when it exits or stays silent before it is ready.
 */
export async function spawnService(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ChildService> {
  const started = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    // MQTT_ALLOW_ANONYMOUS: tests that are not about device security publish without credentials.
    env: { ...process.env, LOG_LEVEL: 'info', MQTT_ALLOW_ANONYMOUS: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let stderr = '';
  let stdout = '';
  let partial = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const ready = new Promise<LogLine>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const text of parts) {
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        if (line.msg === READY_MSG) resolve(line);
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`service exited before it was ready (code ${code}, signal ${signal}): ${stderr}`)));
    setTimeout(() => reject(new Error(`service not ready after ${readyTimeoutMs} ms: ${stderr}`)), readyTimeoutMs).unref();
  });

  let line: LogLine;
  try {
    line = await ready;
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  const httpPort = line.httpPort as number;
  const mqttPort = line.mqttPort as number;
  let token: string | undefined;
  const adminToken = () => (token ??= readAdminToken(resolve(ROOT, env.DATA_DIR ?? 'data')));
  return {
    get token() {
      return adminToken();
    },
    api: authedApi(`http://127.0.0.1:${httpPort}`, adminToken),
    proc,
    httpPort,
    mqttPort,
    base: `http://127.0.0.1:${httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    startMs: Date.now() - started,
    lines,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
  };
}

/** SIGKILLs the child if it still runs and waits for it to be gone; for afterEach. */
export async function killService(child: ChildService | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGKILL');
  await child.exited;
}
