import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../log.js';
import { retryDelayMs, type RetrySchedule } from './backoff.js';
import { attemptDelivery, type AttemptDeps } from './deliver.js';
import type { DeliveryQueue } from './queue.js';
import { logRedisError, WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS } from './redis-options.js';
import type { DeliveryStore } from './store.js';

export interface BullmqDeliveryOptions {
  connection: ConnectionOptions;
  /** Redis key prefix; tests use a unique one. */
  prefix?: string;
  queueName?: string;
  schedule: RetrySchedule;
  attempt: AttemptDeps;
  /** Pending rows to queue again at start (a crash between the insert and the add). */
  deliveries: DeliveryStore;
  concurrency?: number;
  random?: () => number;
  log: Logger;
}

const BACKOFF_TYPE = 'webhook';
const RESUME_MAX = 100_000;

/**
 * Deliveries on BullMQ: the jobId is the delivery id, so adding an id already waiting or delayed is a no-op;
 * finished jobs are removed, so a dead letter sent again is a new job with the same id, and a stale copy of
 * a delivered job finds the row delivered and posts nothing.
 */
export async function createBullmqDeliveryQueue(o: BullmqDeliveryOptions): Promise<DeliveryQueue> {
  const name = o.queueName ?? 'deliveries';
  const random = o.random ?? Math.random;
  const queue = new Queue<{ deliveryId: string }>(name, { connection: o.connection, prefix: o.prefix });
  const worker = new Worker<{ deliveryId: string }>(
    name,
    async (job) => {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const result = await attemptDelivery(o.attempt, job.data.deliveryId, () => ({ last, nextAttemptAt: null }));
      // Throwing is how BullMQ is told to retry (or, on the last attempt, to give up); the row says why.
      if (result === 'pending' || result === 'dead') throw new Error(`delivery ${job.data.deliveryId} failed`);
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency ?? 8,
      // A delivery left active when Redis restarts is attempted again this soon instead of 30-60 s later.
      lockDuration: WORKER_LOCK_DURATION_MS,
      stalledInterval: WORKER_STALLED_INTERVAL_MS,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(o.schedule, attemptsMade, random()) },
    },
  );
  worker.on('error', (err) => logRedisError(o.log, err, 'delivery worker error', {}, 'error'));
  worker.on('stalled', (jobId) => o.log.warn({ deliveryId: jobId }, 'delivery job stalled: its lock expired; it is attempted again'));

  async function enqueue(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await queue.addBulk(
      ids.map((deliveryId) => ({
        name: 'deliver',
        data: { deliveryId },
        opts: {
          jobId: deliveryId,
          attempts: o.schedule.attempts,
          backoff: { type: BACKOFF_TYPE },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  await enqueue(await o.deliveries.pending(null, RESUME_MAX));

  return {
    enqueue,
    firstAttemptAt: () => null,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
