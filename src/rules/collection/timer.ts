import type { Logger } from 'pino';
import { DEFAULT_COLLECTION_SCHEDULE, nextCollectionRun, type CollectionSchedule } from './next-run.js';

export interface CollectionTimerDeps {
  /** The check of one data date, with its alarm changes passed on. */
  run(day: string): Promise<void>;
  timeZone: string;
  log: Logger;
  schedule?: CollectionSchedule;
  now?: () => number;
}

export interface CollectionTimer {
  /** Stops scheduling and waits for a run in progress. */
  close(): Promise<void>;
}

/**
 * The collection checks of a single process (embedded database, no Redis): a timer to the next run time. A run
 * missed while the process was down is not made up; the next one checks its own yesterday, and the checks of a
 * day look at the whole missing streak anyway.
 */
export function startCollectionTimer(deps: CollectionTimerDeps): CollectionTimer {
  const now = deps.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  let lastAtMs = 0;
  const arm = () => {
    if (closed) return;
    // Never the same run twice, even when the clock reads a little earlier than the time the timer fired for.
    const next = nextCollectionRun(Math.max(now(), lastAtMs), deps.timeZone, deps.schedule ?? DEFAULT_COLLECTION_SCHEDULE);
    lastAtMs = next.atMs;
    timer = setTimeout(() => {
      running = deps.run(next.day).catch((err: unknown) => deps.log.error({ err, day: next.day }, 'collection checks failed'));
      void running.then(arm);
    }, Math.max(0, next.atMs - now()));
    timer.unref();
  };
  arm();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
