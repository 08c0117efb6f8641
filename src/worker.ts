import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { PgArchiveStore } from './archive/archive.pg.js';
import { ArchiveCache } from './archive/cache.js';
import { migrate } from './db/migrate.js';
import { openPg } from './db/sql.pg.js';
import type { Sql } from './db/sql.js';
import { createLogger } from './log.js';
import { createRuleEngine } from './rules/engine.js';
import { contextsFromArchive } from './rules/queue-contexts.js';
import { openRuleRedis } from './rules/queue-redis.redis.js';
import { startRuleWorkers } from './rules/queue-worker.bullmq.js';
import type { OnAlarmChanges } from './rules/runner.js';
import { StartupError } from './startup-error.js';

export interface WorkerOptions {
  redisUrl: string | undefined;
  databaseUrl: string | undefined;
  databaseSchema: string;
  queuePrefix: string;
  shards: number;
  log: Logger;
  onChanges?: OnAlarmChanges;
  /** Shorter than BullMQ's 30 s only in tests of stalled-job recovery. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RuleWorkerProcess {
  close(): Promise<void>;
}

// Contract capacities and classes edited in another process reach this worker within this time.
const ARCHIVE_MAX_AGE_MS = 60_000;

/** Rule workers against REDIS_URL and DATABASE_URL; rule state and alarms live in PostgreSQL, so restarts lose nothing. */
export async function startRuleWorkerProcess(opts: WorkerOptions): Promise<RuleWorkerProcess> {
  if (!opts.redisUrl) throw new StartupError('REDIS_URL', 'is not set: rule workers take their jobs from Redis (e.g. redis://127.0.0.1:6379)');
  // PGlite is one process's embedded database: workers elsewhere cannot share it.
  if (!opts.databaseUrl) throw new StartupError('DATABASE_URL', 'is not set: rule workers need a PostgreSQL server shared with the service (the embedded database is single-process)');
  const redis = await openRuleRedis(opts.redisUrl, opts.log);
  let sql: Sql;
  try {
    sql = await openPg({ url: opts.databaseUrl, schema: opts.databaseSchema, onError: (err) => opts.log.warn({ err }, 'a database connection failed; the pool replaces it') });
    await sql.query('SELECT 1');
  } catch (err) {
    redis.disconnect();
    throw new StartupError('DATABASE_URL', `cannot connect to the PostgreSQL server: ${(err as Error).message}`);
  }
  await migrate(sql);
  const engine = await createRuleEngine({ sql, log: opts.log.child({ step: 'rules' }) });
  const workers = await startRuleWorkers({
    connection: redis,
    prefix: opts.queuePrefix,
    shards: opts.shards,
    engine,
    contextsOf: contextsFromArchive(new ArchiveCache(new PgArchiveStore(sql)), ARCHIVE_MAX_AGE_MS),
    onChanges: opts.onChanges ?? (() => {}),
    log: opts.log.child({ step: 'rule-worker' }),
    lockDurationMs: opts.lockDurationMs,
    stalledIntervalMs: opts.stalledIntervalMs,
  });
  return {
    async close() {
      await workers.close();
      await redis.quit();
      await sql.close();
    },
  };
}
