import { Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { MeterContext } from '../domain/archive.js';
import { logRedisError, WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS } from '../notify/redis-options.js';
import type { RuleEngine } from './engine.js';
import { alarmChangesPublisher, openRuleQueues, ruleQueueName, type RuleJobData, type RuleJobResult, type RuleQueueOptions } from './queue.bullmq.js';
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
// A job is held open while the jobs queued behind it are evaluated, and completes, with those removed, only
// once the rule states they changed are written: until then the wait list holds what a crash would evaluate
// again, as the ingest journal does for the inline runner. A meter's state (kilobytes of JSON) is then written
// once per hold instead of once per job; per job, the workers fell seconds behind at 30,000 samples/s.
const HOLD_MS = 5_000;
// A hold ends sooner once no job has come for this long, so a quiet shard writes its states promptly.
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
  const publishers = queues.map((_, shard) => alarmChangesPublisher(opts, shard));
  const workers = queues.map((queue, shard) => startShardWorker(queue, shard, { ...opts, publisher: publishers[shard] }));
  // Closing a BullMQ connection that is still initialising makes it emit an 'error' nobody listens to any more.
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues, ...publishers].map((q) => q.close()));
    },
  };
}

type ShardOptions = RuleWorkerOptions & { publisher: ReturnType<typeof alarmChangesPublisher> };

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

/** Evaluates this job and those queued behind it as they come, then writes their meters' states (HOLD_MS). */
async function evaluateHeld(queue: Queue<RuleJobData, RuleJobResult>, job: Job<RuleJobData>, opts: ShardOptions, closing: () => boolean): Promise<RuleJobResult> {
  const startedMs = Date.now();
  let lastJobMs = startedMs;
  // The waiting jobs evaluated so far: the oldest ones, which stay at the front of the list until removed.
  const held: Job<RuleJobData>[] = [];
  const meterIds = new Set<string>();
  let alarmChanges = 0;
  for (let batch: Job<RuleJobData>[] = [job]; ; batch = []) {
    // Oldest first: taking later jobs while skipping earlier ones would turn the earlier samples into replays.
    const next = await queue.getWaiting(held.length, held.length + LOOKAHEAD_JOBS - 1);
    held.push(...next);
    batch.push(...next);
    if (batch.length > 0) {
      alarmChanges += await evaluateJobs(batch, opts, meterIds);
      lastJobMs = Date.now();
    }
    const nowMs = Date.now();
    if (closing() || nowMs - startedMs >= HOLD_MS || nowMs - lastJobMs >= HOLD_LULL_MS) break;
    if (next.length === 0) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await opts.engine.flush([...meterIds]);
  // Their samples are evaluated and written now, so running them would only replay them. A removal that fails
  // (the job was taken meanwhile) is harmless for the same reason.
  await Promise.all(held.map((j) => j.remove().catch(() => undefined)));
  return { jobs: held.length + 1, alarmChanges };
}

async function evaluateJobs(jobs: readonly Job<RuleJobData>[], opts: ShardOptions, meterIds: Set<string>): Promise<number> {
  const samples = jobs.flatMap((j) => j.data.samples);
  for (const s of samples) meterIds.add(s.meterId);
  const contexts = await opts.contextsOf([...new Set(samples.map((s) => s.meterId))]);
  // States with alarm changes are written with them; the others wait for the end of the hold.
  const changes = await opts.engine.evaluate(samples, contexts, { deferSnapshot: true });
  if (changes.length > 0) await Promise.all([opts.publisher.publish(changes), opts.onChanges(changes)]);
  return changes.length;
}
