import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { InjectOptions } from 'fastify';
import { openTestDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createAccess } from '../../access/access.js';
import { AuthLockout } from '../../access/auth-lockout.js';
import { createPeopleStorePg } from '../../access/people.pg.js';
import { ROLES, type Role } from '../../access/roles.js';
import { createDeviceCredentials } from '../../access/credentials.js';
import { createDeviceCredentialStorePg } from '../../access/devices.pg.js';
import { createAlarmStorePg } from '../../alarms/store.pg.js';
import type { AlarmChange } from '../../alarms/store.js';
import { PgArchiveStore } from '../../archive/archive.pg.js';
import { importArchiveText } from '../../archive/import.js';
import { createPgQuarantineStore } from '../../ingest/quarantine.pg.js';
import { createMetrics } from '../../metrics.js';
import { startNotify } from '../../notify/service.js';
import { createOverviewQueriesPg } from '../overview.pg.js';
import { createRuleProfilesPg } from '../../rules/profiles.pg.js';
import { seedDefaultSettings } from '../../rules/settings.pg.js';
import { createPgTelemetryStore } from '../../telemetry/telemetry.pg.js';
import { buildApp, type App } from '../app.js';
import type { PeopleDeps } from '../auth.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TestApp {
  /** The app, whose inject() signs in with the admin token unless the request brings its own Authorization or cookie. */
  app: App;
  /** The app as it is: no credentials added. */
  raw: App;
  /** A live token of each role. */
  tokens: Record<Role, string>;
  /** What the auth hooks were built with (the WebSocket upgrade gate takes it too). */
  people: PeopleDeps;
  /** Security events recorded by the API. */
  events: { event: string; fields: Record<string, unknown> }[];
  db: TestDatabase;
  /** Alarm changes the API reported (acknowledge, manual clear). */
  published: { change: string; alarm: unknown }[];
  /** How often a rule-settings change asked the engine to drop its cache. */
  invalidations: { count: number };
  close(): Promise<void>;
}

/** The HTTP app on a migrated test database with the real PostgreSQL stores, seeded rule settings and two customers. */
export async function openTestApp(flavour: 'pglite' | 'postgres', limits: { authFailuresMax?: number } = {}): Promise<TestApp> {
  const db = await openTestDatabase(flavour);
  const log = pino({ level: 'silent' });
  await seedDefaultSettings(db.sql);
  await db.sql.query(`INSERT INTO customers (id, name, classes, contract_kva) VALUES ('c1', 'Steelworks', '{DEDICATED}', 1000), ('c2', 'Mall', '{KEY,TOP100}', 500)`);
  await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ('m1', 'c1', '3P4W', 380, 'primary'), ('m2', 'c2', '3P4W', 380, 'primary')`);
  const archive = new PgArchiveStore(db.sql);
  const published: TestApp['published'] = [];
  const invalidations = { count: 0 };
  const events: TestApp['events'] = [];
  const access = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 3_600_000 });
  // Route tests try bad credentials on every route from one address: no lockout unless a test asks for one.
  const lockout = new AuthLockout({ maxFailures: limits.authFailuresMax ?? Number.MAX_SAFE_INTEGER, lockoutMs: 60_000 });
  const people = { access, lockout, allowedOrigins: ['https://ops.example.com'], sessionTtlMs: 3_600_000, security: (event: string, fields: Record<string, unknown>) => void events.push({ event, fields }) };
  const notify = await startNotify({ sql: db.sql, allowLoopbackHttp: true, pollIntervalMs: 50, log });
  // A variable, not a literal: ApiDeps may name more ports than these tests need.
  const deps = {
      archive,
      alarms: createAlarmStorePg(db.sql),
      telemetry: createPgTelemetryStore(db.sql),
      quarantine: createPgQuarantineStore(db.sql),
      ruleProfiles: createRuleProfilesPg({ sql: db.sql, log, onChange: () => invalidations.count++ }),
      importArchive: (text: string, format: 'csv' | 'json') => importArchiveText(archive, text, format),
      credentials: createDeviceCredentials({ store: createDeviceCredentialStorePg(db.sql), securityEvent: () => undefined, onChange: async () => undefined }),
      onAlarmChange: (c: AlarmChange | { change: string; alarm: unknown }) => published.push(c),
      notify: notify.api,
      overview: createOverviewQueriesPg(db.sql, 'Asia/Shanghai'),
      utilityTz: 'Asia/Shanghai',
      ready: async () => ({ database: 'ok' }),
      metrics: createMetrics().registry,
      dashboardsDir: join(ROOT, 'dashboards'),
      uplotDir: dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js')),
      people,
  };
  const app = await buildApp(deps, log);
  const tokens = { admin: (await access.issueFirstAdminToken())! } as Record<Role, string>;
  for (const role of ROLES.filter((r) => r !== 'admin')) tokens[role] = (await access.issueToken({ name: role, role, createdBy: 'fixture' })).token;
  return {
    app: signedIn(app, tokens.admin), raw: app, tokens, people, events, db, published, invalidations,
    async close() {
      await app.close();
      await notify.close();
      await db.drop();
    },
  };
}

/** The existing route tests predate sign-in: their requests carry the admin token. */
function signedIn(app: App, token: string): App {
  const inject = (opts: InjectOptions | string) => {
    const o = typeof opts === 'string' ? { url: opts } : opts;
    const h = (o.headers ?? {}) as Record<string, unknown>;
    return app.inject(h.authorization !== undefined || h.cookie !== undefined ? o : { ...o, headers: { ...h, authorization: `Bearer ${token}` } });
  };
  return new Proxy(app, { get: (target, name) => (name === 'inject' ? inject : Reflect.get(target, name, target)) });
}
