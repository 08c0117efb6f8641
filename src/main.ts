import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDeviceCredentials } from './access/credentials.js';
import { AuthLockout } from './access/auth-lockout.js';
import { createDeviceAuth } from './access/device-auth.js';
import { createDeviceCredentialStorePg } from './access/devices.pg.js';
import { securityEvents } from './access/security-events.js';
import { createAccess } from './access/access.js';
import { bootstrapAdminToken } from './access/bootstrap.js';
import { createPeopleStorePg } from './access/people.pg.js';
import { buildApp } from './api/app.js';
import { upgradeGate } from './api/auth.js';
import { probe } from './api/routes/health.js';
import { ArchiveCache } from './archive/cache.js';
import { importArchiveText } from './archive/import.js';
import { startBroker, type Broker } from './broker/broker.js';
import { loadConfig, type Config } from './config.js';
import { deferred } from './deferred.js';
import { createOverviewQueriesPg } from './api/overview.pg.js';
import { Journal, type JournalRecord } from './ingest/journal.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { listenWithFallback, type Listening } from './listen.js';
import { LiveHub } from './live/hub.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { meteredRuleEngine } from './rules/engine-metered.js';
import { createAlarmMqttPublisher } from './notify/mqtt-publisher.js';
import { startNotify } from './notify/service.js';
import type { AlarmChange } from './alarms/store.js';
import { createRuleProfilesPg } from './rules/profiles.pg.js';
import { startCollectionChecks, type CollectionChecks } from './rules/collection/from-config.js';
import { openRuleRunner, worksQueueInProcess } from './rules/runner-from-config.js';
import type { RuleRunner } from './rules/runner.js';
import { StartupError } from './startup-error.js';
import { openStores, type Stores } from './stores.js';

export interface Service {
  config: Config;
  httpPort: number;
  mqttPort: number;
  /** What the operator should read at start: where to point a browser and devices. */
  banner: string[];
  /** Made at this start because the database had no live admin token: `npm start` shows it once. */
  adminToken?: { token: string; file: string };
  /** Resolves when everything received so far is stored and evaluated (tests, shutdown). */
  drain(): Promise<void>;
  /**
   * Settles with an error that the process cannot recover from in place (the rule engine's thread ended): `npm
   * start` then exits with code 1, and the next start replays the journal.
   */
  fatal: Promise<Error>;
  stop(): Promise<void>;
  log: Logger;
}

export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

const SHUTDOWN_DRAIN_MS = 5_000;
const SHUTDOWN_HARD_LIMIT_MS = 9_000;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The composition root: config, adapters, wiring, start; stop() undoes it in reverse order.
 * Both ports are bound first, while the database opens: devices' messages are journaled (and
 * acknowledged) from the first moment, and API calls wait for their store.
 */
export async function startService(env: Record<string, string | undefined> = process.env, log?: Logger): Promise<Service> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new ConfigError(loaded.errors);
  const config = loaded.config;
  log ??= createLogger(config.logLevel);
  const metrics = createMetrics();
  const clock = Date.now;

  await ensureWritableDir(config.dataDir);
  const { journal, backlog, backlogRecords } = await Journal.open(join(config.dataDir, 'journal'), {
    segmentBytes: config.ingest.journalSegmentBytes,
    maxBufferedBytes: config.ingest.bufferMaxBytes,
    maxMemoryBytes: config.ingest.memoryMaxBytes,
    onFlush: (seconds, records) => {
      metrics.journalFlushSeconds.observe(seconds);
      metrics.messagesReceived.inc(records);
    },
    onBuffered: (bytes) => {
      metrics.bufferBytes.set(bytes);
      showDegraded();
    },
    onMemory: (bytes, diskOnlyRecords) => {
      metrics.memoryBytes.set(bytes);
      metrics.diskOnly.set(diskOnlyRecords);
    },
    onCheckpointError: (err) => log.error({ err }, 'the ingest journal checkpoint could not be written; the next one retries'),
    onReadError: (err) => log.error({ err }, 'journaled records could not be read back from disk; retrying'),
  });
  /** Set by the pipeline while storing fails. */
  let storeFailure: { sinceMs: number; message: string } | undefined;
  /** Why ingestion is degraded (store unreachable, buffer full), or undefined when it is not. */
  function ingestDegraded(): string | undefined {
    const failure = storeFailure;
    const backlog = `${journal.bufferedBytes} bytes buffered of ${config.ingest.bufferMaxBytes}`;
    if (journal.full) return `degraded: ingest buffer full (${backlog}); not acknowledging, refusing new connections`;
    if (failure) return `degraded: store unreachable since ${new Date(failure.sinceMs).toISOString()} (${failure.message}); ${backlog}`;
    return undefined;
  }
  function showDegraded(): void {
    metrics.degraded.set(ingestDegraded() ? 1 : 0);
  }
  const early: JournalRecord[] = backlog;
  journal.onDurable = (records) => {
    // A read-back group can hold many thousand records: too many to spread as arguments.
    for (const r of records) early.push(r);
  };

  // The QuestDB adapter tags rows with the meter's customer and class from the archive cache below.
  let reportFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (reportFatal = resolve));
  const opening = openStores(config, (meterId) => archive.get(meterId), log, reportFatal);
  opening.catch(() => undefined); // awaited below; until then callers of the deferred stores see the error
  const archiveStore = deferred(opening.then((s) => s.archive));
  const archive = new ArchiveCache(archiveStore);
  const securityEvent = securityEvents(log.child({ step: 'security' }), metrics);
  const credentialStore = deferred(opening.then((s) => createDeviceCredentialStorePg(s.sql)));
  /** Who may connect over MQTT: every credential's hash in memory, refreshed every MQTT_REVALIDATE_S (the broker's DeviceAuth). */
  const deviceAuth = createDeviceAuth({ store: credentialStore, revalidateMs: config.mqtt.limits.revalidateMs, log: log.child({ step: 'credentials' }) });
  /** People over HTTP and WebSocket: tokens, users, sessions; checked against the database, so any node can. */
  const people = {
    access: createAccess({ store: deferred(opening.then((s) => createPeopleStorePg(s.sql))), sessionTtlMs: config.http.sessionTtlMs }),
    allowedOrigins: config.http.allowedOrigins,
    security: securityEvent,
    sessionTtlMs: config.http.sessionTtlMs,
    lockout: new AuthLockout({ maxFailures: config.http.authFailuresMax, lockoutMs: config.http.authLockoutMs }),
  };
  const live = new LiveHub({ archive, log: log.child({ step: 'live' }), metrics });
  let stores: Stores | undefined;
  let broker: Broker | undefined;
  let adminToken: Service['adminToken'];

  const notifyLog = log.child({ step: 'notify' });
  const notifying = opening.then((s) =>
    startNotify({ sql: s.sql, redisUrl: config.redis?.url, redisPrefix: config.redis?.prefix, allowLoopbackHttp: config.notify.allowLoopbackHttp, securityEvent, log: notifyLog }),
  );
  notifying.catch(() => undefined); // awaited below, like opening
  // Changes made before the broker listens (a replayed backlog) have no MQTT subscriber to reach yet.
  const publishAlarmsMqtt = createAlarmMqttPublisher((topic, payload, qos) => broker?.publish(topic, payload, qos) ?? Promise.resolve(), notifyLog);
  /** Every alarm change, from the rules or from the API: dashboards, MQTT subscribers, webhook subscribers. */
  async function alarmsChanged(changes: readonly AlarmChange[]): Promise<void> {
    live.publishAlarms(changes);
    await publishAlarmsMqtt(changes);
    await (await notifying).notifier.notify(changes).catch((err: unknown) => notifyLog.error({ err, changes: changes.length }, 'webhook deliveries not recorded'));
  }

  const app = await buildApp(
    {
      archive: archiveStore,
      alarms: deferred(opening.then((s) => s.alarms)),
      telemetry: deferred(opening.then((s) => s.telemetry)),
      quarantine: deferred(opening.then((s) => s.quarantine)),
      ruleProfiles: deferred(opening.then((s) => createRuleProfilesPg({
        sql: s.sql,
        log,
        // This process's engine applies the change at its next evaluation; other worker processes re-read class
        // settings and customer overrides at most 5 s later.
        onChange: () => {
          log.info('rule settings changed');
          s.rules.invalidateSettings();
        },
      }))),
      async importArchive(text, format) {
        const result = await importArchiveText(archiveStore, text, format);
        if (result.ok) await archive.refresh();
        return result;
      },
      credentials: createDeviceCredentials({
        store: credentialStore,
        securityEvent,
        // This process's broker sees its own changes at once (and its devices' first CONNECT costs no scrypt);
        // other processes at their next refresh.
        onChange: (issued) => deviceAuth.refresh().then(
          () => deviceAuth.remember(issued),
          (err: unknown) => log.warn({ err }, 'device credentials not refreshed; the next refresh retries'),
        ),
      }),
      onAlarmChange: (change) => void alarmsChanged([change]),
      notify: deferred(notifying.then((n) => n.api)),
      overview: deferred(opening.then((s) => createOverviewQueriesPg(s.sql, config.utilityTz))),
      utilityTz: config.utilityTz,
      async ready() {
        if (!stores) return { database: 'starting', ingest: ingestDegraded() ?? 'ok' };
        const database = await probe(stores.sql.query('SELECT 1'));
        return { database, ingest: ingestDegraded() ?? 'ok' };
      },
      metrics: metrics.registry,
      people,
      dashboardsDir: join(ROOT, 'dashboards'),
      uplotDir: dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js')),
    },
    log.child({ step: 'api' }),
  );
  live.attach(app.server, upgradeGate(people));

  let http: Listening;
  let rules: RuleRunner;
  let collection: CollectionChecks | undefined;
  async function rulesChanged(changes: readonly AlarmChange[]): Promise<void> {
    for (const c of changes) metrics.alarmChanges.inc({ change: c.change, rule: c.alarm.rule, severity: c.alarm.severity });
    await alarmsChanged(changes);
  }
  try {
    http = await listenWithFallback({ variable: 'HTTP_PORT', port: config.http.port, explicit: config.http.portExplicit }, async (port) => {
      await app.listen({ port, host: config.http.host });
      return (app.server.address() as { port: number }).port;
    });
    broker = await startBroker({
      ...config.mqtt,
      journal,
      deviceAuth,
      quarantine: deferred(opening.then((s) => s.quarantine)),
      quarantinePayloadMaxBytes: config.ingest.quarantinePayloadMaxBytes,
      securityEvent,
      log: log.child({ step: 'broker' }),
      clock,
    });
    stores = await opening;
    adminToken = await bootstrapAdminToken(people.access, config.dataDir);
    if (adminToken) securityEvent('token_created', { by: 'bootstrap', role: 'admin', file: adminToken.file }, 'no live admin token: one was created');
    await notifying;
    await archive.refresh();
    // C1/C2 after the daily cut-off: a BullMQ job scheduler with REDIS_URL (once per cluster), else a timer here.
    if (stores.collection) collection = await startCollectionChecks(config, { checker: stores.collection, onChanges: rulesChanged, log });
    // Inline without REDIS_URL; with it, batches become BullMQ jobs and changes come back from the workers.
    rules = await openRuleRunner(config, {
      engine: meteredRuleEngine(stores.rules, metrics),
      contextOf: (meterId) => archive.get(meterId),
      onChanges: rulesChanged,
      log,
    });
  } catch (err) {
    await collection?.close();
    await notifying.then((n) => n.close(), () => undefined);
    await broker?.close();
    deviceAuth.close();
    await app.close();
    await journal.close();
    await live.close();
    throw err;
  }

  // An archive written by another process (npm run archive:import, another node) reaches this cache within
  // MQTT_REVALIDATE_S: a meter moved to another concentrator is refused for its old one within 60 s.
  const archiveRefreshing = setInterval(
    () => void archive.refreshIfChanged().catch((err: unknown) => log.warn({ err }, 'archive cache not refreshed; the next check retries')),
    config.mqtt.limits.revalidateMs,
  );
  archiveRefreshing.unref();

  const pipeline = new IngestPipeline({
    archive,
    telemetry: stores.telemetry,
    quarantine: stores.quarantine,
    setConcentratorStatus: (id, online, at) => archiveStore.setConcentratorStatus(id, online, at),
    onStored: (samples) => live.publishSamples(samples),
    afterStore: (samples) => rules.submit(samples),
    checkpoint: (pos) => journal.checkpoint(pos),
    release: (pos) => journal.release(pos),
    persistDownstream: () => rules.persist(),
    onStoreHealth(failure) {
      storeFailure = failure;
      showDegraded();
    },
    metrics,
    log: log.child({ step: 'ingest' }),
    clock,
    limits: config.ingest,
  });
  if (backlogRecords > 0) log.info({ records: backlogRecords }, 'replaying journaled messages not yet stored');
  pipeline.push(early);
  journal.onDurable = (records) => pipeline.push(records);

  const banner = [
    `dashboard  http://localhost:${http.port}/   (API docs at /docs)`,
    `MQTT       mqtt://localhost:${broker.listening.port}`,
    `data       ${config.database.url ? 'PostgreSQL server (DATABASE_URL)' : `embedded PostgreSQL in ${join(config.dataDir, 'pglite')}`}`,
  ];
  if (broker.tlsPort !== undefined) banner.push(`MQTTS      mqtts://localhost:${broker.tlsPort}${config.mqtt.tls?.caFile ? '   (client certificates: CN = device id)' : ''}`);
  if (config.redis) banner.push(`rules      BullMQ jobs in Redis (REDIS_URL), worked by ${worksQueueInProcess(config) ? 'this process' : '`npm run worker`'}`);
  if (stores.questdb) banner.push('telemetry  QuestDB (QDB_CLIENT_CONF, queries over QDB_PG_URL)');
  if (http.fellBack) banner.push(`note       port ${config.http.port} was taken, so HTTP is on ${http.port}; set HTTP_PORT to choose`);
  if (broker.listening.fellBack) banner.push(`note       port ${config.mqtt.port} was taken, so MQTT is on ${broker.listening.port}; set MQTT_PORT to choose`);
  log.info({ httpPort: http.port, mqttPort: broker.listening.port }, 'loadwatch is running');

  const openStoresHandle = stores;
  const openNotify = await notifying;
  const openBroker = broker;
  return {
    config,
    log,
    httpPort: http.port,
    adminToken,
    mqttPort: broker.listening.port,
    banner,
    drain: () => pipeline.drain(),
    fatal,
    async stop() {
      clearInterval(archiveRefreshing);
      await openBroker.close();
      deviceAuth.close();
      await journal.close();
      // Whatever is not stored by then stays in the journal and is replayed at the next start,
      // so a hung store cannot hold the shutdown past its budget.
      const budget = new Promise((r) => setTimeout(r, SHUTDOWN_DRAIN_MS));
      await Promise.race([pipeline.drain(), budget]);
      await Promise.race([pipeline.stop(), budget]);
      await journal.settle();
      await collection?.close();
      await rules.close();
      await live.close();
      await app.close();
      await openNotify.close();
      await openStoresHandle.close();
    },
  };
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new StartupError('DATA_DIR', `${dir} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** `npm start`: run until SIGINT/SIGTERM; bad configuration is one line per problem and exit code 1. */
async function runFromCommandLine(): Promise<void> {
  // Handlers first: a SIGTERM that arrives while the service starts (a supervisor that read the first "running"
  // log line) still stops it cleanly once it has started, instead of killing it mid-start.
  let service: Service | undefined;
  let stopping = false;
  const stop = async () => {
    if (!service) {
      // A second signal during the start: the operator means it.
      if (stopping) process.exit(1);
      stopping = true;
      return;
    }
    if (stopping) return;
    stopping = true;
    // Last resort against a dependency that hangs on close: acknowledged data is in the journal anyway.
    setTimeout(() => process.exit(1), SHUTDOWN_HARD_LIMIT_MS).unref();
    await service.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    service = await startService();
  } catch (err) {
    const lines = err instanceof ConfigError ? err.lines : err instanceof StartupError ? [err.message] : undefined;
    if (!lines) throw err;
    for (const line of lines) process.stderr.write(`loadwatch: cannot start: ${line}\n`);
    process.exit(1);
  }
  const started = service;
  // One write: a reader of the banner (a person, a supervisor, a test) gets the token line with it, never after it.
  const token = started.adminToken ? `admin token (shown once, also written to ${started.adminToken.file}): ${started.adminToken.token}\n\n` : '';
  process.stderr.write(`\nloadwatch is running\n${started.banner.map((l) => `  ${l}\n`).join('')}\n${token}`);
  if (stopping) {
    stopping = false;
    await stop();
  }
  void started.fatal.then((err) => {
    started.log.fatal({ err }, 'loadwatch cannot go on; exiting so that the next start replays the journal');
    process.exit(1);
  });
  // A promise nobody awaited failed: a bug to fix, but never a reason to stop ingesting. Acknowledged
  // data is journaled either way; the log line carries the stack.
  process.on('unhandledRejection', (err) => started.log.error({ err }, 'unhandled promise rejection'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runFromCommandLine();
}
