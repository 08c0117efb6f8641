/** The service under test, as operators run it (`npm start`'s command), in production mode on PostgreSQL. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startScriptFlags } from '../test/support/start-flags.js';
import { JsonLink, nodeTsx, spawnTracked, stopTracked } from './children.js';

export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ServiceChild {
  pid: number;
  base: string;
  httpPort: number;
  mqttPort: number;
  /** Authorization of the admin token the service made at its first start, when the API asks for one. */
  headers: Record<string, string>;
  /**
   * evaluated: samples stored and through the rules (storing may run ahead of them, MAX_IN_FLIGHT_SAMPLES in
   * ingest/downstream.ts, and end to end counts a sample once its rules ran); rulesPending: those stored and still
   * waiting for the rules.
   */
  metrics(): Promise<{ evaluated: number; rulesPending: number; backlog: number; quarantined: number; batches: number; alarmChanges: number }>;
  stop(): Promise<void>;
}

/** One statement on the machine's PostgreSQL as its admin (schemas of the bench, sizes); its rows. */
export async function adminSql<R extends Record<string, unknown> = Record<string, unknown>>(sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** fn with a service of its own, in its own schema (dropped after): a scenario that must not share the main one. */
export async function withOwnService<T>(schema: string, env: Record<string, string>, fn: (svc: ServiceChild) => Promise<T>): Promise<T> {
  await adminSql(`CREATE SCHEMA ${schema}`);
  const svc = await startServiceChild(schema, undefined, env);
  try {
    return await fn(svc);
  } finally {
    await svc.stop();
    await adminSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  }
}

export async function startServiceChild(schema: string, cpuProfDir?: string, env: Record<string, string> = {}): Promise<ServiceChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loadwatch-bench-'));
  const extra = [...startScriptFlags(), ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const proc = spawnTracked(nodeTsx('src/main.ts', extra), {
    NODE_ENV: 'production',
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    LOG_LEVEL: 'info',
    // The load generator's devices connect without credentials, all from 127.0.0.1 (one address standing in
    // for a fleet), and a bench concentrator may publish faster than the per-device default.
    MQTT_ALLOW_ANONYMOUS: 'true',
    MQTT_IP_CONNECT_RATE: '1000000',
    MQTT_IP_CONNECT_BURST: '1000000',
    MQTT_DEVICE_MSG_RATE: '1000000',
    ...env,
  });
  const link = new JsonLink(proc);
  const ready = await link.next((e) => e.msg === 'loadwatch is running', 60_000, 'service start');
  const httpPort = ready.httpPort as number;
  const base = `http://127.0.0.1:${httpPort}`;
  const tokenFile = join(dataDir, 'admin-token');
  const headers: Record<string, string> = existsSync(tokenFile) ? { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } : {};
  return {
    headers,
    pid: proc.pid!,
    base,
    httpPort,
    mqttPort: ready.mqttPort as number,
    async metrics() {
      const text = await (await fetch(`${base}/metrics`, { headers })).text();
      const pick = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      const rulesPending = pick(/^loadwatch_rules_pending_samples (\S+)$/gm);
      return {
        evaluated: pick(/^loadwatch_ingest_samples_total\{result="(?:stored|overwritten)"\} (\S+)$/gm) - rulesPending,
        rulesPending,
        // Records the pipeline holds plus those past the journal's memory bound, waiting on disk to be read back.
        backlog: pick(/^loadwatch_ingest_(?:backlog_records|disk_only_records) (\S+)$/gm),
        quarantined: pick(/^loadwatch_ingest_quarantined_total\{[^}]*\} (\S+)$/gm),
        batches: pick(/^loadwatch_ingest_batch_seconds_count (\S+)$/gm),
        alarmChanges: pick(/^loadwatch_alarm_changes_total\{[^}]*\} (\S+)$/gm),
      };
    },
    async stop() {
      await stopTracked(proc, 15_000);
      // The journal and admin token of a bench service are of no use afterwards (tens of MB per run).
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
