import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { MeterContext } from '../domain/archive.js';
import { logRedisError, WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS } from '../notify/redis-options.js';
import { STATE_WRITE_INTERVAL_MS, WritePacing } from '../pacing.js';
import type { RuleEngine } from './engine.js';
import { alarmChangesPublisher, openRuleQueues, ruleQueueName, samplesOfJob, type AlarmChangesPublisher, type RuleJobData, type RuleJobResult, type RuleQueueOptions } from './queue.bullmq.js';
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
  /** STATE_WRITE_INTERVAL_MS (pacing.ts) unless set: tests shorten it to see writes while a job is held. */
  flushEveryMs?: number;
}

export interface RuleWorkers {
  /** Waits for the jobs being evaluated, then stops taking new ones. */
  close(): Promise<void>;
}

// Jobs waiting behind the current one that are evaluated with it: samples of one meter spread over several
// queued jobs (a concentrator back-filling) are then seen in time order instead of job order.
const LOOKAHEAD_JOBS = 50;
// A job is held open while the jobs queued behind it are evaluated as they come. Those stay in the wait list until
// a write of the rule states they changed covers them, so the list holds what a crash would evaluate again, as
// the ingest journal does for the inline runner. A meter's state (kilobytes of JSON) is then written once every
// STATE_WRITE_INTERVAL_MS instead of once per job; per job, the workers fell seconds behind at 30,000 samples/s.
// Writes run beside the evaluations (the engine interleaves them in slices), so a write does not stop the shard;
// they are paced as the inline runner's persists are (pacing.ts): a bounded share of the time under load.
// The held job completes once no job has come for this long, or when the worker closes.
const HOLD_LULL_MS = 1_000;
const POLL_MS = 50;
// After a failed evaluation (database down) the shard pauses, the job goes back to the head of the line
// without spending an attempt, and the shard keeps its order.
const RETRY_PAUSE_MS = 2_000;
// A job that took down its worker this many times is failed, so it cannot stop its shard for ever.
const MAX_STALLED = 3;

/** Runs one worker per shard in this process; any number of processes may run these against one Redis. */
export async function startRuleWorkers(opts: RuleWorkerOptions): Promise<RuleWorkers> {
  const queues = openRuleQueues(opts, opts.log);
  await Promise.all(queues.map((q) => q.setGlobalConcurrency(1)));
  const publishers = queues.map((_, shard) => alarmChangesPublisher(opts, shard, opts.log));
  const workers = queues.map((queue, shard) => startShardWorker(queue, shard, { ...opts, publisher: publishers[shard] }));
  // Closing a BullMQ connection that is still initialising makes it emit an 'error' nobody listens to any more.
  await Promise.all([...workers, ...publishers].map((w) => w.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues, ...publishers].map((q) => q.close()));
    },
  };
}

type ShardOptions = RuleWorkerOptions & { publisher: AlarmChangesPublisher };

function startShardWorker(queue: Queue<RuleJobData, RuleJobResult>, shard: number, opts: ShardOptions): Worker {
  const log = opts.log.child({ queue: ruleQueueName(shard) });
  const worker: Worker<RuleJobData, RuleJobResult> = new Worker(
    ruleQueueName(shard),
    async (job) => {
      try {
        return await evaluateHeld(queue, job, opts, () => worker.closing !== undefined);
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

/** A write of rule states under way, and how many of the held jobs (the oldest) it covers. */
interface Flush {
  covered: number;
  startedMs: number;
  done: boolean;
  /** Resolves with the write's error, if any, once it is done: nothing is left rejected unobserved meanwhile. */
  outcome: Promise<unknown>;
}

function startFlush(engine: RuleEngine, meterIds: Set<string>, covered: number): Flush {
  const flush: Flush = { covered, startedMs: Date.now(), done: false, outcome: Promise.resolve() };
  flush.outcome = engine.flush([...meterIds]).then(
    () => undefined,
    (err: unknown) => err ?? new Error('rule state write failed'),
  ).finally(() => (flush.done = true));
  return flush;
}

/** Evaluates this job and those queued behind it as they come; completes once their states are all written. */
async function evaluateHeld(queue: Queue<RuleJobData, RuleJobResult>, job: Job<RuleJobData>, opts: ShardOptions, closing: () => boolean): Promise<RuleJobResult> {
  let lastJobMs = Date.now();
  const pacing = new WritePacing(opts.flushEveryMs || STATE_WRITE_INTERVAL_MS, lastJobMs);
  // Waiting jobs evaluated here and not yet covered by a finished write: the oldest of the wait list.
  const held: Job<RuleJobData>[] = [];
  let meterIds = new Set<string>();
  let flush: Flush | undefined;
  let jobs = 1;
  let alarmChanges = 0;
  // Written jobs are removed between two reads of the wait list, never during one: reads index past held.
  const settle = async (f: Flush) => {
    const error = await f.outcome;
    if (error) throw error;
    pacing.ended(f.startedMs, Date.now());
    await removeJobs(held.splice(0, f.covered));
  };
  for (let batch: Job<RuleJobData>[] = [job]; ; batch = []) {
    if (flush?.done) {
      await settle(flush);
      flush = undefined;
    }
    // Oldest first: taking later jobs while skipping earlier ones would turn the earlier samples into replays.
    const next = await queue.getWaiting(held.length, held.length + LOOKAHEAD_JOBS - 1);
    held.push(...next);
    batch.push(...next);
    jobs += next.length;
    if (batch.length > 0) {
      alarmChanges += await evaluateJobs(batch, opts, meterIds);
      lastJobMs = Date.now();
    }
    const nowMs = Date.now();
    if (closing() || nowMs - lastJobMs >= HOLD_LULL_MS) break;
    if (!flush && pacing.due(nowMs)) {
      flush = startFlush(opts.engine, meterIds, held.length);
      meterIds = new Set();
    }
    if (next.length === 0) await sleep(POLL_MS);
  }
  if (flush) await settle(flush);
  await opts.engine.flush([...meterIds]);
  await removeJobs(held);
  return { jobs, alarmChanges };
}

/**
 * Their samples are evaluated and written, so running them would only replay them. A removal that fails (the job
 * was taken meanwhile) is harmless for the same reason.
 */
async function removeJobs(jobs: readonly Job<RuleJobData>[]): Promise<void> {
  await Promise.all(jobs.map((j) => j.remove().catch(() => undefined)));
}

async function evaluateJobs(jobs: readonly Job<RuleJobData>[], opts: ShardOptions, meterIds: Set<string>): Promise<number> {
  const samples = jobs.flatMap((j) => samplesOfJob(j.data));
  for (const s of samples) meterIds.add(s.meterId);
  const contexts = await opts.contextsOf([...new Set(samples.map((s) => s.meterId))]);
  // States with alarm changes are written with them; the others by the next flush of the hold.
  const changes = await opts.engine.evaluate(samples, contexts, { deferSnapshot: true });
  if (changes.length > 0) await Promise.all([opts.publisher.publish(changes), opts.onChanges(changes)]);
  return changes.length;
}
