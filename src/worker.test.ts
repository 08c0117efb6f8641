import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_DATABASE_URL, uniqueName, type TestDatabase } from '../test/support/db.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run worker` with exactly this environment; onOutput may signal it once it has seen enough. */
function runWorker(env: Record<string, string>, onOutput?: (out: string, signal: (s: NodeJS.Signals) => void) => void): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { PATH: process.env.PATH ?? '', ...env } });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    run.stdout += d.toString();
    onOutput?.(run.stdout, (s) => child.kill(s));
  });
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ ...run, code })));
}

describe('npm run worker', () => {
  let db: TestDatabase | undefined;
  let prefix: string | undefined;
  afterEach(async () => {
    await db?.drop();
    if (!prefix) return;
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it.each([
    [{}, /^loadwatch worker: cannot start: REDIS_URL: is not set/],
    [{ REDIS_URL: REDIS_URL }, /^loadwatch worker: cannot start: DATABASE_URL: is not set: .*single-process/],
    [{ REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: TEST_DATABASE_URL }, /^loadwatch worker: cannot start: REDIS_URL: cannot connect to Redis/],
    [{ RULE_QUEUE_SHARDS: 'x' }, /^loadwatch worker: cannot start: RULE_QUEUE_SHARDS="x" is invalid/],
  ])('%j: one line, exit 1', async (env, line) => {
    const run = await runWorker(env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(line);
  });

  it('runs against Redis and PostgreSQL and exits 0 on SIGTERM', async () => {
    db = await openTestDatabase('postgres');
    prefix = uniqueName('lwtest');
    const run = await runWorker(
      { REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: db.schema!, RULE_QUEUE_SHARDS: '2', WORKER_HTTP_PORT: '0' },
      (out, signal) => out.includes('rule worker is running') && signal('SIGTERM'),
    );
    expect(run.stdout).toContain("rule worker is running");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it('refuses a WORKER_HTTP_PORT already taken: one line, exit 1', async () => {
    db = await openTestDatabase('postgres');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runWorker({ REDIS_URL, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: db.schema!, HTTP_HOST: '127.0.0.1', WORKER_HTTP_PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^loadwatch worker: cannot start: WORKER_HTTP_PORT: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });
});
