import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { MeterContext } from '../domain/archive.js';
import type { RuleEngine } from './engine.js';
import { createBullmqRuleRunner } from './queue.bullmq.js';
import { contextsFromArchiveLookup } from './queue-contexts.js';
import { openRuleRedis } from './queue-redis.redis.js';
import { startRuleWorkers, type RuleWorkers } from './queue-worker.bullmq.js';
import { createInlineRuleRunner } from './runner.inline.js';
import type { OnAlarmChanges, RuleRunner } from './runner.js';

export interface RunnerDeps {
  engine: RuleEngine;
  contextOf(meterId: string): MeterContext | undefined;
  /** Every alarm change, whichever process evaluated it. */
  onChanges: OnAlarmChanges;
  log: Logger;
}

/** Whether the ingesting process works the rule queue itself (see openRuleRunner). */
export function worksQueueInProcess(config: Pick<Config, 'ruleQueue' | 'database'>): boolean {
  return config.ruleQueue.workersInProcess || !config.database.url;
}

/**
 * The ingesting process's runner. Without REDIS_URL: inline, as a single process. With REDIS_URL: batches go
 * to the BullMQ rule queue and changes come back from whichever worker evaluated them (QueueEvents). This
 * process also works the queue when RULE_WORKERS_IN_PROCESS=true, and always on the embedded database,
 * which no `npm run worker` process can reach.
 */
export async function openRuleRunner(config: Pick<Config, 'redis' | 'ruleQueue' | 'database'>, deps: RunnerDeps): Promise<RuleRunner> {
  if (!config.redis) return createInlineRuleRunner(deps);
  const log = deps.log.child({ step: 'rule-queue' });
  const connection: Redis = await openRuleRedis(config.redis.url, log);
  const queue = { connection, prefix: config.redis.prefix, shards: config.ruleQueue.shards };
  const runner = await createBullmqRuleRunner({ ...queue, log, onChanges: deps.onChanges });
  let workers: RuleWorkers | undefined;
  if (worksQueueInProcess(config)) {
    if (!config.database.url) log.info('rule jobs are worked in this process: the embedded database is not shared with worker processes');
    workers = await startRuleWorkers({
      ...queue,
      engine: deps.engine,
      contextsOf: contextsFromArchiveLookup(deps.contextOf),
      // Changes reach onChanges through the queue's event stream, like those of any other worker.
      onChanges: () => {},
      log,
    });
  }
  return {
    submit: (samples) => runner.submit(samples),
    persist: () => runner.persist(),
    async close() {
      await workers?.close();
      await runner.close();
      await connection.quit();
    },
  };
}
