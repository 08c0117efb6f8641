import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AlarmChange } from '../../alarms/store.js';
import { logRedisError } from '../../notify/redis-options.js';
import type { OnAlarmChanges } from '../runner.js';
import { collectionDayOf, cronPattern, DEFAULT_COLLECTION_SCHEDULE } from './next-run.js';

export const COLLECTION_QUEUE = 'collection';
const SCHEDULER_ID = 'collection-check';

export interface CollectionScheduleOptions {
  /** ioredis connection with maxRetriesPerRequest null; the caller closes it. */
  connection: Redis;
  prefix: string;
  timeZone: string;
  /** Cron pattern read in timeZone; default the cut-off and hourly re-runs of next-run.ts. */
  pattern?: string;
  /** The check of one data date; undefined in a process that only listens. */
  run?: (day: string) => Promise<AlarmChange[]>;
  /** Changes made by whichever process ran the check. */
  onChanges: OnAlarmChanges;
  log: Logger;
}

export interface CollectionScheduleHandle {
  close(): Promise<void>;
}

/**
 * The collection checks as a BullMQ job scheduler: one job per run time for the whole cluster, however many
 * processes upsert the same scheduler or work the queue (issue 3: scheduled work runs once per cluster). The
 * job checks the day before its scheduled local date; its changes reach every process through QueueEvents.
 */
export async function startCollectionSchedule(opts: CollectionScheduleOptions): Promise<CollectionScheduleHandle> {
  const { connection, prefix, log } = opts;
  const queue = new Queue(COLLECTION_QUEUE, { connection, prefix });
  queue.on('error', (err) => logRedisError(log, err, 'collection queue connection failed; retrying'));
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: opts.pattern ?? cronPattern(DEFAULT_COLLECTION_SCHEDULE), tz: opts.timeZone },
    { name: 'check', opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
  );
  const events = new QueueEvents(COLLECTION_QUEUE, { connection, prefix });
  events.on('error', (err) => logRedisError(log, err, 'collection queue events connection failed; retrying'));
  events.on('completed', ({ returnvalue }) => {
    // Typed as a string, but QueueEvents has already parsed the JSON (as in queue.bullmq.ts).
    const changes = returnvalue as unknown as AlarmChange[] | null;
    if (!changes || changes.length === 0) return;
    Promise.resolve(opts.onChanges(changes)).catch((err: unknown) => log.error({ err, changes: changes.length }, 'collection alarm changes not passed on'));
  });
  const run = opts.run;
  const worker = run
    ? new Worker(COLLECTION_QUEUE, async (job) => {
      // A scheduled job is added ahead of time with a delay: its run time is timestamp + delay.
      const day = collectionDayOf(job.timestamp + (job.opts.delay ?? 0), opts.timeZone);
      return run(day);
    }, { connection, prefix, concurrency: 1 })
    : undefined;
  worker?.on('error', (err) => logRedisError(log, err, 'collection worker connection failed; retrying'));
  worker?.on('failed', (job, err) => log.error({ err, jobId: job?.id }, 'collection checks failed'));
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker?.waitUntilReady()]);
  return {
    async close() {
      await worker?.close();
      await events.close();
      await queue.close();
    },
  };
}
