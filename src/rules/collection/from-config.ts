import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { openRuleRedis } from '../queue-redis.redis.js';
import type { OnAlarmChanges } from '../runner.js';
import type { CollectionChecker } from './check.js';
import { startCollectionSchedule } from './schedule.bullmq.js';
import { startCollectionTimer } from './timer.js';

export interface CollectionChecks {
  close(): Promise<void>;
}

/**
 * The scheduled collection checks of the service: with REDIS_URL a BullMQ job scheduler (once per cluster,
 * worked by whichever service process takes the job); without it, a timer in this single process.
 */
export async function startCollectionChecks(
  config: Pick<Config, 'redis' | 'utilityTz'>,
  deps: { checker: CollectionChecker; onChanges: OnAlarmChanges; log: Logger },
): Promise<CollectionChecks> {
  const log = deps.log.child({ step: 'collection' });
  const run = (day: string) => deps.checker.evaluateCollection(day);
  if (!config.redis) {
    return startCollectionTimer({
      timeZone: config.utilityTz, log,
      run: async (day) => {
        const changes = await run(day);
        if (changes.length > 0) await deps.onChanges(changes);
      },
    });
  }
  const connection = await openRuleRedis(config.redis.url, log);
  try {
    const schedule = await startCollectionSchedule({ connection, prefix: config.redis.prefix, timeZone: config.utilityTz, run, onChanges: deps.onChanges, log });
    return {
      async close() {
        await schedule.close();
        await connection.quit();
      },
    };
  } catch (err) {
    connection.disconnect();
    throw err;
  }
}
