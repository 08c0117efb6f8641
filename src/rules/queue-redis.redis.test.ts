import { spawn, type ChildProcess } from 'node:child_process';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../startup-error.js';
import { openRuleRedis } from './queue-redis.redis.js';
import { freePort } from '../../test/support/free-port.js';

const log = pino({ level: 'silent' });
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';


describe('openRuleRedis', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('accepts the machine\'s Redis (noeviction)', async () => {
    const redis = await openRuleRedis(REDIS_URL, log);
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
  });

  it('refuses a Redis that evicts keys, naming REDIS_URL and the policy', async () => {
    const port = await freePort();
    // A throwaway server of our own: the shared Redis's settings are not ours to change.
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
    const url = `redis://127.0.0.1:${port}`;
    let error: unknown;
    for (let i = 0; i < 50; i++) {
      error = await openRuleRedis(url, log).then(() => undefined, (err: unknown) => err);
      if (!(error instanceof StartupError && error.message.includes('cannot connect'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/^REDIS_URL: .*maxmemory-policy allkeys-lru/);
  });

  it('names REDIS_URL when nothing listens', async () => {
    const port = await freePort();
    await expect(openRuleRedis(`redis://127.0.0.1:${port}`, log)).rejects.toThrow(/^REDIS_URL: cannot connect to Redis: .*ECONNREFUSED/);
  });
});
