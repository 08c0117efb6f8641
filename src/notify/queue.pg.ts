import type { Logger } from '../log.js';
import { retryDelayMs, type RetrySchedule } from './backoff.js';
import { attemptDelivery, type AttemptDeps } from './deliver.js';
import type { DeliveryQueue } from './queue.js';
import type { DeliveryStore } from './store.js';

export interface PgDeliveryQueueOptions {
  deliveries: DeliveryStore;
  attempt: AttemptDeps;
  schedule: RetrySchedule;
  pollIntervalMs?: number;
  /** Attempts made at once per poll. */
  batch?: number;
  random?: () => number;
  log: Logger;
}

/**
 * The embedded (no Redis) queue: notify_deliveries is the queue. A timer attempts the rows whose
 * next_attempt_at has come, with the same schedule as BullMQ, so a restart loses nothing and picks up
 * where it stopped. Meant for one process (the embedded database is one process's anyway).
 */
export function createPgDeliveryQueue(o: PgDeliveryQueueOptions): DeliveryQueue {
  const random = o.random ?? Math.random;
  const clock = o.attempt.clock;
  const batch = o.batch ?? 16;
  let running: Promise<void> | undefined;
  let closed = false;

  async function poll(): Promise<void> {
    const ids = await o.deliveries.pending(new Date(clock()), batch);
    await Promise.all(
      ids.map((id) =>
        attemptDelivery(o.attempt, id, (cycleAttempts) => ({
          last: cycleAttempts + 1 >= o.schedule.attempts,
          nextAttemptAt: new Date(clock() + retryDelayMs(o.schedule, cycleAttempts + 1, random())),
        })),
      ),
    );
    // A full batch means more may be due now.
    if (ids.length === batch && !closed) await poll();
  }

  function kick(): void {
    if (running || closed) return;
    running = poll()
      .catch((err: unknown) => o.log.error({ err }, 'webhook delivery poll failed; retrying at the next tick'))
      .finally(() => (running = undefined));
  }

  const timer = setInterval(kick, o.pollIntervalMs ?? 1_000);
  timer.unref();

  return {
    async enqueue(ids) {
      if (ids.length > 0) kick();
    },
    firstAttemptAt: () => new Date(clock()),
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
