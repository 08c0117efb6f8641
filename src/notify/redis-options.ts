import type { ConnectionOptions } from 'bullmq';
import { ClientLogLimiter } from '../ingest/log-limiter.js';
import type { Logger } from '../log.js';

/** redis://[user:password@]host[:port][/db] or rediss:// as the options BullMQ hands to its own connections. */
export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  const db = u.pathname.replace('/', '');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db ? Number(db) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Lock and stalled-check timing of loadwatch's BullMQ workers (rule shards, webhook deliveries) instead of
 * BullMQ's 30 s and 30 s. A job is left 'active' under a lock nobody renews not only when a worker dies, but
 * also when Redis stops (SIGTERM, SIGKILL, failover) just after running a worker's moveToActive: Redis has
 * persisted the move but never sent the reply, ioredis sends the script again after the reconnect, and that
 * second run takes nothing. Only the stalled-job check hands such a job back, after its lock expires and at
 * the next check: up to lockDuration + stalledInterval after it was taken (30-60 s with BullMQ's defaults,
 * and a rule shard, with its global concurrency of 1, waits for it all that time). Locks are renewed by a timer
 * every lockDuration / 2, so only an event loop blocked for about 5 s (or a Redis outage of over 10 s) makes a
 * running job look stalled: it is then run again, as after a worker crash. Each check is one short script per
 * queue.
 */
export const WORKER_LOCK_DURATION_MS = 10_000;
export const WORKER_STALLED_INTERVAL_MS = 5_000;

/** How often one kind of Redis connection error is logged while Redis is away. */
export const REDIS_ERROR_LOG_WINDOW_MS = 30_000;
/**
 * One for the process: while Redis is away every queue, worker and event listener of every rule shard
 * fails its reconnects together (about 90 lines/s with 8 shards), so lines are limited per kind, not per
 * connection. Every error is still counted in the next line's suppressedSinceLastLine.
 */
const redisErrorLines = new ClientLogLimiter(REDIS_ERROR_LOG_WINDOW_MS, Date.now);

/** Logs a Redis connection error (ioredis retries it) at most once per message and error code per window. */
export function logRedisError(log: Logger, err: Error, msg: string, fields: Record<string, unknown> = {}, level: 'warn' | 'error' = 'warn'): void {
  const kind = `${msg}|${(err as NodeJS.ErrnoException).code ?? err.message}`;
  const { log: now, suppressed } = redisErrorLines.check(kind);
  if (now) log[level]({ ...fields, err, suppressedSinceLastLine: suppressed }, msg);
}
