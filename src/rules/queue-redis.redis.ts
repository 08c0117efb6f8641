import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { logRedisError } from '../notify/redis-options.js';
import { StartupError } from '../startup-error.js';
import { judgeRedis, parseRedisInfo } from './queue-redis-policy.js';

/**
 * Connects to REDIS_URL and checks that the server will not lose queued jobs; one StartupError line naming
 * REDIS_URL otherwise. The connection suits BullMQ (maxRetriesPerRequest null: commands wait out a reconnect).
 */
export async function openRuleRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  let lastError: Error | undefined;
  const onError = (err: Error) => (lastError = err);
  redis.on('error', onError);
  try {
    await redis.connect();
    const verdict = judgeRedis(parseRedisInfo(await redis.info()));
    if (!verdict.ok) throw new StartupError('REDIS_URL', verdict.reason);
    for (const warning of verdict.warnings) log.warn(warning);
  } catch (err) {
    redis.disconnect();
    if (err instanceof StartupError) throw err;
    throw new StartupError('REDIS_URL', `cannot connect to Redis: ${(lastError ?? (err as Error)).message}`);
  }
  redis.off('error', onError);
  // Later outages are retried by ioredis; say so instead of crashing on an unhandled 'error' event.
  redis.on('error', (err) => logRedisError(log, err, 'Redis connection failed; retrying'));
  return redis;
}
