/** The peers every figure is compared with: psql \copy (storage), bare aedes and Mosquitto (broker). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { JsonLink, nodeTsx, spawnTracked, stopTracked } from './children.js';
import { DATABASE_URL } from './service.js';
import { QUARTER_MS, TS_PLACEHOLDER, type Sender } from './workload.js';

const KIND_COLUMNS: Record<string, string[]> = { voltage: ['a', 'b', 'c'], current: ['a', 'b', 'c'], load: ['p', 'q', 'pf'] };

export function psql(args: string[], stdin?: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-Atq', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    if (stdin) stdin.pipe(proc.stdin!);
    else proc.stdin!.end();
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`psql failed (${code}): ${err}`))));
  });
}

/** Writes what the batched senders would publish over `steps` steps as COPY text, one file per kind; returns the row count. */
export async function writeCopyFiles(senders: Sender[], steps: number, startTsMs: number, fileOf: (kind: string) => string): Promise<number> {
  const streams = new Map(Object.keys(KIND_COLUMNS).map((k) => [k, createWriteStream(fileOf(k))]));
  let rows = 0;
  for (let step = 0; step < steps; step++) {
    const ts = new Date(startTsMs + step * QUARTER_MS).toISOString();
    for (const s of senders) {
      for (const t of s.templates) {
        const kind = t.topic.slice(t.topic.lastIndexOf('/') + 1);
        const records = (JSON.parse(t.payload.replaceAll(TS_PLACEHOLDER, '0')) as { records: Record<string, number | string | null>[] }).records;
        const lines = records.map((r) => [r.meter, ts, ...KIND_COLUMNS[kind].map((c) => (r[c] ?? '\\N')), 1].join('\t'));
        rows += lines.length;
        const out = streams.get(kind)!;
        if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
      }
    }
  }
  await Promise.all([...streams.values()].map((s) => new Promise((r) => s.end(r))));
  return rows;
}

/** Creates empty copies of the telemetry tables (same columns, keys and indexes) in schema. */
export async function createCopyTables(schema: string): Promise<void> {
  const sql = Object.keys(KIND_COLUMNS)
    .map((k) => `CREATE TABLE ${schema}.peer_${k} (LIKE ${schema}.telemetry_${k} INCLUDING ALL);`)
    .join('\n');
  await psql(['-c', sql]);
}

/** Truncates the peer tables and times `\copy` of the files into them; returns the seconds taken. */
export async function timeCopy(schema: string, fileOf: (kind: string) => string): Promise<number> {
  await psql(['-c', Object.keys(KIND_COLUMNS).map((k) => `TRUNCATE ${schema}.peer_${k};`).join(' ')]);
  const started = performance.now();
  const args = Object.keys(KIND_COLUMNS).flatMap((k) => ['-c', `\\copy ${schema}.peer_${k} (meter_id, ts, ${KIND_COLUMNS[k].join(', ')}, multiplier) FROM '${fileOf(k)}'`]);
  await psql(args);
  return (performance.now() - started) / 1000;
}

export interface Broker {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startBareAedes(): Promise<Broker> {
  const proc = spawnTracked(nodeTsx('bench/aedes-peer.ts'));
  const ready = await new JsonLink(proc).next((e) => e.ev === 'ready', 30_000, 'bare aedes start');
  return { port: ready.port as number, pid: proc.pid!, stop: () => stopTracked(proc, 2_000) };
}

export async function startMosquitto(): Promise<Broker> {
  const port = await freePort();
  const proc = spawnTracked(['mosquitto', '-p', String(port)]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, pid: proc.pid!, stop: () => stopTracked(proc, 2_000) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function mosquittoVersion(): Promise<string> {
  return new Promise((resolve) => {
    const proc = spawn('mosquitto', ['-h'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', () => resolve(/version (\S+)/.exec(out)?.[1] ?? 'unknown'));
    proc.once('error', () => resolve('unknown'));
  });
}
