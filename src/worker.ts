import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { healthRoutes, probe } from './api/routes/health.js';
import { PgArchiveStore } from './archive/archive.pg.js';
import { ArchiveCache } from './archive/cache.js';
import { loadConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { openPg } from './db/sql.pg.js';
import type { Sql } from './db/sql.js';
import { createLogger } from './log.js';
import { createWorkerMetrics } from './metrics.js';
import { startNotify } from './notify/service.js';
import { createRuleEngine } from './rules/engine.js';
import { meteredRuleEngine } from './rules/engine-metered.js';
import { contextsFromArchive } from './rules/queue-contexts.js';
import { openRuleRedis } from './rules/queue-redis.redis.js';
import { startRuleWorkers } from './rules/queue-worker.bullmq.js';
import type { OnAlarmChanges } from './rules/runner.js';
import { StartupError } from './startup-error.js';

export interface WorkerOptions {
  /** Config.redis: the URL and the BullMQ key prefix. */
  redis: { url: string; prefix: string } | undefined;
  databaseUrl: string | undefined;
  databaseSchema: string;
  shards: number;
  utilityTz: string;
  /** Webhook URLs may be http to loopback (tests only). */
  allowLoopbackHttp: boolean;
  log: Logger;
  onChanges?: OnAlarmChanges;
  /** Shorter than the defaults (notify/redis-options.ts, 10 s and 5 s) only in tests of stalled-job recovery. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Shorter than the default (queue-worker.bullmq.ts, 5 s) only in tests of writes while a job is held. */
  flushEveryMs?: number;
  /** Set: /metrics, /healthz and /readyz on this host and port (0: any free port). */
  http?: { host: string; port: number };
}

export interface RuleWorkerProcess {
  /** The port of /metrics, /healthz and /readyz, when opts.http was set. */
  httpPort: number | undefined;
  close(): Promise<void>;
}

// Contract capacities and classes edited in another process reach this worker within this time.
const ARCHIVE_MAX_AGE_MS = 60_000;

/** Rule workers against REDIS_URL and DATABASE_URL; rule state and alarms live in PostgreSQL, so restarts lose nothing. */
export async function startRuleWorkerProcess(opts: WorkerOptions): Promise<RuleWorkerProcess> {
  if (!opts.redis) throw new StartupError('REDIS_URL', 'is not set: rule workers take their jobs from Redis (e.g. redis://127.0.0.1:6379)');
  // PGlite is one process's embedded database: workers elsewhere cannot share it.
  if (!opts.databaseUrl) throw new StartupError('DATABASE_URL', 'is not set: rule workers need a PostgreSQL server shared with the service (the embedded database is single-process)');
  const redis = await openRuleRedis(opts.redis.url, opts.log);
  let sql: Sql;
  try {
    sql = await openPg({ url: opts.databaseUrl, schema: opts.databaseSchema, onError: (err) => opts.log.warn({ err }, 'a database connection failed; the pool replaces it') });
    await sql.query('SELECT 1');
  } catch (err) {
    redis.disconnect();
    throw new StartupError('DATABASE_URL', `cannot connect to the PostgreSQL server: ${(err as Error).message}`);
  }
  // The worker's own health and metrics, for Prometheus and an orchestrator: one per process of a scale-out layout.
  const metrics = createWorkerMetrics();
  const http = Fastify({ logger: false });
  await http.register(healthRoutes({
    metrics: metrics.registry,
    async ready() {
      const [database, queue] = await Promise.all([probe(sql.query('SELECT 1')), probe(redis.ping())]);
      return { database, queue };
    },
  }));
  let httpPort: number | undefined;
  if (opts.http) {
    try {
      await http.listen(opts.http);
      httpPort = (http.server.address() as { port: number }).port;
    } catch (err) {
      redis.disconnect();
      await sql.close();
      throw new StartupError('WORKER_HTTP_PORT', `cannot listen on ${opts.http.host}:${opts.http.port}: ${(err as Error).message}`);
    }
  }
  await migrate(sql);
  const engine = meteredRuleEngine(await createRuleEngine({ sql, log: opts.log.child({ step: 'rules' }), utilityTz: opts.utilityTz }), metrics);
  // Subscribers hear of an alarm from the worker that raised it, even when no service process is
  // listening to the queue's events; delivery ids are keys, so a second notify of the same change is a no-op.
  const notify = await startNotify({ sql, redisUrl: opts.redis.url, redisPrefix: opts.redis.prefix, allowLoopbackHttp: opts.allowLoopbackHttp, log: opts.log.child({ step: 'notify' }) });
  const workers = await startRuleWorkers({
    connection: redis,
    prefix: opts.redis.prefix,
    shards: opts.shards,
    engine,
    contextsOf: contextsFromArchive(new ArchiveCache(new PgArchiveStore(sql)), ARCHIVE_MAX_AGE_MS),
    async onChanges(changes) {
      await notify.notifier.notify(changes);
      await opts.onChanges?.(changes);
    },
    log: opts.log.child({ step: 'rule-worker' }),
    lockDurationMs: opts.lockDurationMs,
    stalledIntervalMs: opts.stalledIntervalMs,
    flushEveryMs: opts.flushEveryMs,
  });
  return {
    httpPort,
    async close() {
      await http.close();
      await workers.close();
      await notify.close();
      await redis.quit();
      await sql.close();
    },
  };
}

// A job still running by then is retried by another worker once its lock expires (stalled-job recovery).
const SHUTDOWN_HARD_LIMIT_MS = 9_000;

/** `npm run worker`: rule workers until SIGINT/SIGTERM; a bad configuration is one stderr line per problem and exit code 1. */
async function runFromCommandLine(): Promise<void> {
  const loaded = loadConfig(process.env);
  const fail = (lines: string[]) => {
    for (const line of lines) process.stderr.write(`loadwatch worker: cannot start: ${line}\n`);
    process.exit(1);
  };
  if (!loaded.ok) return fail(loaded.errors);
  const { config } = loaded;
  const log = createLogger(config.logLevel).child({ process: 'worker' });
  let worker: RuleWorkerProcess;
  try {
    worker = await startRuleWorkerProcess({
      redis: config.redis,
      databaseUrl: config.database.url,
      databaseSchema: config.database.schema,
      shards: config.ruleQueue.shards,
      utilityTz: config.utilityTz,
      allowLoopbackHttp: config.notify.allowLoopbackHttp,
      log,
      onChanges: (changes) => log.debug({ changes: changes.length }, 'alarm changes'),
      http: { host: config.http.host, port: config.workerHttpPort },
    });
  } catch (err) {
    if (err instanceof StartupError) return fail([err.message]);
    throw err;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), SHUTDOWN_HARD_LIMIT_MS).unref();
    await worker.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Only now: until a handler is installed, a SIGTERM sent on seeing this line would kill without closing.
  log.info({ shards: config.ruleQueue.shards, httpPort: worker.httpPort }, 'rule worker is running');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runFromCommandLine();
}
