import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../src/main.js';
import { openPg, quoteIdent } from '../../src/db/sql.pg.js';
import { authedApi, readAdminToken, type Api } from './api.js';
import { TEST_DATABASE_URL, uniqueName } from './db.js';
import { loopbackEnv, schemaEnv } from './service-env.js';

export interface TestService {
  svc: Service;
  base: string;
  mqttUrl: string;
  dataDir: string;
  env: Record<string, string>;
  /** The admin token from DATA_DIR/admin-token. */
  token: string;
  /** fetch(base + path) as the admin. */
  api: Api;
  /** Stops the service and removes its data (directory, or schema on the server). */
  close(): Promise<void>;
}

/** The whole service in-process on free ports, on embedded PGlite or on a fresh schema of the machine's PostgreSQL. */
export async function startTestService(flavour: 'pglite' | 'postgres', extraEnv: Record<string, string> = {}): Promise<TestService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'loadwatch-e2e-'));
  const schema = uniqueName('lw_e2e');
  const env: Record<string, string> = {
    ...loopbackEnv(dataDir),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests that are not about device security publish without credentials; security tests pass 'false'.
    MQTT_ALLOW_ANONYMOUS: 'true',
    ...(flavour === 'postgres' ? schemaEnv(schema) : {}),
    ...extraEnv,
  };
  const svc = await startService(env);
  const base = `http://127.0.0.1:${svc.httpPort}`;
  // Read when first used: a service started on a database that already has an admin token writes no file.
  let token: string | undefined;
  const adminToken = () => (token ??= readAdminToken(dataDir));
  return {
    svc,
    env,
    dataDir,
    get token() {
      return adminToken();
    },
    api: authedApi(base, adminToken),
    base,
    mqttUrl: `mqtt://127.0.0.1:${svc.mqttPort}`,
    async close() {
      await svc.stop();
      await rm(dataDir, { recursive: true, force: true });
      if (flavour === 'postgres') await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const sql = await openPg({ url: TEST_DATABASE_URL, maxConnections: 1 });
  await sql.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await sql.close();
}

/** GET a JSON answer, with the token as Bearer when given; throws on a status other than 2xx. */
export async function getJson<T = unknown>(url: string, token?: string): Promise<T> {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until cond() holds; for hooks, where expect.poll is not available. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
