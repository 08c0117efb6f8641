import { Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { MeterContext } from '../domain/archive.js';
import { logRedisError, WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS } from '../notify/redis-options.js';
import type { RuleEngine } from './engine.js';
import { openRuleQueues, ruleQueueName, type RuleJobData, type RuleJobResult, type RuleQueueOptions } from './queue.bullmq.js';
import type { OnAlarmChanges } from './runner.js';

export interface RuleWorkerOptions extends RuleQueueOptions {
  engine: RuleEngine;
  /** Archive entries of these meters; meters it does not know are left out (the engine skips their samples). */
  contextsOf(meterIds: readonly string[]): Promise<Map<string, MeterContext>>;
  onChanges: OnAlarmChanges;
  log: Logger;
  /**
   * WORKER_LOCK_DURATION_MS and WORKER_STALLED_INTERVAL_MS (redis-options.ts) unless set: a job left active
   * when Redis restarts stops its whole shard until then. Tests shorten them to see stalled-job recovery quickly.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RuleWorkers {
  /** Waits for the jobs being evaluated, then stops taking new ones. */
  close(): Promise<void>;
}

// Jobs waiting behind the current one that are evaluated with it: samples of one meter spread over several
// queued jobs (a concentrator back-filling) are then seen in time order instead of job order.
const LOOKAHEAD_JOBS = 50;
// After a failed evaluation (database down) the shard pauses, the job goes back to the head of the line
// without spending an attempt, and the shard keeps its order.
const RETRY_PAUSE_MS = 2_000;
// A job that took down its worker this many times is failed, so it cannot stop its shard for ever.
const MAX_STALLED = 3;

/** Runs one worker per shard in this process; any number of processes may run these against one Redis. */
export async function startRuleWorkers(opts: RuleWorkerOptions): Promise<RuleWorkers> {
  const queues = openRuleQueues(opts, opts.log);
  await Promise.all(queues.map((q) => q.setGlobalConcurrency(1)));
  const workers = queues.map((queue, shard) => startShardWorker(queue, shard, opts));
  // Closing a BullMQ connection that is still initialising makes it emit an 'error' nobody listens to any more.
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}

function startShardWorker(queue: Queue<RuleJobData, RuleJobResult>, shard: number, opts: RuleWorkerOptions): Worker {
  const log = opts.log.child({ queue: ruleQueueName(shard) });
  const worker: Worker<RuleJobData, RuleJobResult> = new Worker(
    ruleQueueName(shard),
    async (job) => {
      try {
        return await evaluateWithLookahead(queue, job, opts);
      } catch (err) {
        log.error({ err, jobId: job.id }, 'rule evaluation failed; the shard pauses and retries the job');
        await worker.rateLimit(RETRY_PAUSE_MS);
        throw Worker.RateLimitError();
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: 1,
      maxStalledCount: MAX_STALLED,
      lockDuration: opts.lockDurationMs || WORKER_LOCK_DURATION_MS,
      stalledInterval: opts.stalledIntervalMs || WORKER_STALLED_INTERVAL_MS,
    },
  );
  worker.on('error', (err) => logRedisError(log, err, 'rule worker connection failed; retrying'));
  // A worker died or was blocked with it, or Redis restarted just as it was taken (redis-options.ts).
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'rule job stalled: its lock expired; it goes back to the head of its shard'));
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id }, 'rule job failed for good'));
  return worker;
}

async function evaluateWithLookahead(queue: Queue<RuleJobData, RuleJobResult>, job: Job<RuleJobData>, opts: RuleWorkerOptions): Promise<RuleJobResult> {
  // Oldest first, i.e. the jobs next in line: taking later ones while skipping earlier ones would turn the
  // earlier samples into replays.
  const next = await queue.getWaiting(0, LOOKAHEAD_JOBS - 1);
  const samples = [job, ...next].flatMap((j) => j.data.samples);
  const contexts = await opts.contextsOf([...new Set(samples.map((s) => s.meterId))]);
  const changes = await opts.engine.evaluate(samples, contexts);
  // Their samples are evaluated now, so running them would only replay them. A removal that fails (the job
  // was taken meanwhile) is harmless for the same reason.
  await Promise.all(next.map((j) => j.remove().catch(() => undefined)));
  if (changes.length > 0) await opts.onChanges(changes);
  return changes;
}
