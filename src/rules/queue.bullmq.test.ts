import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holding, openTestDatabase, TEST_DATABASE_URL, uniqueName, type TestDatabase } from '../../test/support/db.js';
import type { AlarmChange } from '../alarms/store.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import { createRuleEngine } from './engine.js';
import { createBullmqRuleRunner, openRuleQueues, RULE_JOB_NAME, samplesOfJob } from './queue.bullmq.js';
import { openRuleRedis } from './queue-redis.redis.js';
import { startRuleWorkers, type RuleWorkers } from './queue-worker.bullmq.js';
import { shardOf } from './queue-shard.js';
import { lockMeters } from './state.pg.js';
import type { OnAlarmChanges, RuleRunner } from './runner.js';

const log = pino({ level: 'silent' });
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2025, 0, 6, 0, 0);
const Q = 15 * 60_000;
const SHARDS = 3;
const METERS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
// DEDICATED, 380 V three-phase: phase A from point 1 on is over the V1 band long enough to raise an alarm.
const PHASE_A_V = [220, 240, 241, 245, 240, 242, 243, 244];
const FIRST_VIOLATION_TS = new Date(T0 + Q).toISOString();

function volts(meterId: string): AnySample[] {
  return PHASE_A_V.map((a, i) => ({ kind: 'voltage', meterId, tsMs: T0 + i * Q, values: { a, b: 220, c: 220 }, multiplier: 1 }));
}

const byMeterAndTime = (a: AnySample, b: AnySample) => a.meterId.localeCompare(b.meterId) || a.tsMs - b.tsMs;

function context(id: string): MeterContext {
  return {
    meter: { id, customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: 'c1', name: 'Steelworks', classes: ['DEDICATED'], address: '1 Mill Rd', phone: '', accountManager: 'Li', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
  };
}

async function seedArchive(db: TestDatabase): Promise<void> {
  await db.sql.query(`INSERT INTO customers (id, name, classes, address, account_manager, contract_kva) VALUES ('c1', 'Steelworks', '{DEDICATED}', '1 Mill Rd', 'Li', 1000)`);
  for (const id of METERS) await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ($1, 'c1', '3P4W', 380, 'primary')`, [id]);
}

async function alarmsOf(db: TestDatabase, meterId: string): Promise<{ start_ts: Date; events: number }[]> {
  const res = await db.sql.query<{ start_ts: Date; events: number }>(
    `SELECT a.start_ts, (SELECT count(*)::int FROM alarm_events e WHERE e.alarm_id = a.id AND e.type = 'created') AS events
     FROM alarms a WHERE a.meter_id = $1 AND a.rule = 'V1' AND a.phase = 'A'`,
    [meterId],
  );
  return res.rows;
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('rule jobs on BullMQ (Redis + PostgreSQL)', () => {
  let db: TestDatabase;
  let redis: Redis;
  let prefix: string;
  const closers: (() => Promise<void>)[] = [];
  const changes: AlarmChange[] = [];

  beforeEach(async () => {
    db = await openTestDatabase('postgres');
    await seedArchive(db);
    redis = await openRuleRedis(REDIS_URL, log);
    prefix = uniqueName('lwtest');
    changes.length = 0;
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await db.drop();
  });

  async function runner(onChanges?: OnAlarmChanges): Promise<RuleRunner> {
    const r = await createBullmqRuleRunner({ connection: redis, prefix, shards: SHARDS, log, onChanges });
    closers.push(() => r.close());
    return r;
  }

  async function workers(extra: { lockDurationMs?: number; stalledIntervalMs?: number; flushEveryMs?: number } = {}): Promise<RuleWorkers> {
    const engine = await createRuleEngine({ sql: db.sql, log });
    const w = await startRuleWorkers({
      connection: redis, prefix, shards: SHARDS, engine, log, ...extra,
      contextsOf: async (ids) => new Map(ids.map((id) => [id, context(id)])),
      onChanges: (c) => void changes.push(...c),
    });
    closers.push(() => w.close());
    return w;
  }

  async function queuesIdle(): Promise<boolean> {
    const queues = openRuleQueues({ connection: redis, prefix, shards: SHARDS });
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused')));
    await Promise.all(queues.map((q) => q.close()));
    return counts.every((c) => Object.values(c).every((n) => n === 0));
  }

  it('enqueues one job per shard touched by a batch, never one per sample', async () => {
    const samples = METERS.flatMap(volts);
    await (await runner()).submit(samples);
    const queues = openRuleQueues({ connection: redis, prefix, shards: SHARDS });
    const jobs = (await Promise.all(queues.map((q) => q.getWaiting()))).flat();
    await Promise.all(queues.map((q) => q.close()));
    expect(jobs.length).toBeGreaterThan(1);
    expect(jobs.length).toBeLessThanOrEqual(SHARDS);
    expect(jobs.flatMap((j) => samplesOfJob(j.data)).sort(byMeterAndTime)).toEqual([...samples].sort(byMeterAndTime));
    // The same batch again (a journal replay) while those jobs wait is not queued twice.
    await (await runner()).submit(samples);
    const again = openRuleQueues({ connection: redis, prefix, shards: SHARDS });
    expect((await Promise.all(again.map((q) => q.getWaitingCount()))).reduce((a, b) => a + b)).toBe(jobs.length);
    await Promise.all(again.map((q) => q.close()));
  });

  it('two workers, a re-delivered job and a batch run twice raise exactly one alarm per meter', async () => {
    await workers();
    await workers();
    const shards = openRuleQueues({ connection: redis, prefix, shards: SHARDS });
    expect(await Promise.all(shards.map((q) => q.getGlobalConcurrency()))).toEqual(Array(SHARDS).fill(1));
    await Promise.all(shards.map((q) => q.close()));
    const r = await runner();
    await r.submit(METERS.flatMap(volts));
    await until(async () => (await queuesIdle()) && changes.length >= METERS.length);
    // Run twice: the same batch after its jobs completed, and the same data as a job with another id.
    await r.submit(METERS.flatMap(volts));
    const [q0] = openRuleQueues({ connection: redis, prefix, shards: 1 });
    // In the form of jobs queued by earlier releases: the samples as an array, not as JSON text.
    await q0.add(RULE_JOB_NAME, { samples: volts('m1') }, { jobId: 'redelivered' });
    await q0.close();
    await until(() => queuesIdle());
    for (const meterId of METERS) {
      expect(await alarmsOf(db, meterId)).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
    }
    expect(changes.filter((c) => c.change === 'created')).toHaveLength(METERS.length);
  });

  it('evaluates a job queued by an earlier release, whose data is the samples as an array', async () => {
    await workers();
    const [q0] = openRuleQueues({ connection: redis, prefix, shards: 1 });
    await q0.add(RULE_JOB_NAME, { samples: volts('m1') });
    await q0.close();
    await until(async () => (await queuesIdle()) && changes.length >= 1);
    expect(await alarmsOf(db, 'm1')).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
  });

  it('evaluates one meter\'s samples in time order when they arrive shuffled over several jobs', async () => {
    const r = await runner();
    const shuffled = [5, 2, 7, 1, 4, 0, 6, 3].map((i) => volts('m1')[i]);
    for (let i = 0; i < shuffled.length; i += 3) await r.submit(shuffled.slice(i, i + 3));
    await workers();
    await until(() => queuesIdle());
    expect(await alarmsOf(db, 'm1')).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
  });

  it('keeps counting across a worker restart: the rule state is in PostgreSQL', async () => {
    const r = await runner();
    const first = await workers();
    // Three violating points: not yet sustained long enough for the DEDICATED V1 alarm.
    await r.submit(volts('m1').slice(0, 4));
    await until(() => queuesIdle());
    expect(await alarmsOf(db, 'm1')).toEqual([]);
    await first.close();
    await workers();
    await r.submit(volts('m1').slice(4));
    await until(async () => (await alarmsOf(db, 'm1')).length > 0);
    expect(await alarmsOf(db, 'm1')).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
  });

  it('passes alarm changes on at once, while the job that raised them is held until its states are written', async () => {
    const other = ['m2', 'm3', 'm4', 'm5', 'm6'].find((id) => shardOf(id, SHARDS) === shardOf('m1', SHARDS)) as string;
    const heard: AlarmChange[] = [];
    const r = await runner((c) => void heard.push(...c));
    await workers();
    await r.submit(volts(other).slice(0, 1));
    await until(async () => (await queuesIdle()) && (await db.sql.query('SELECT 1 FROM rule_state WHERE meter_id = $1', [other])).rows.length === 1);
    // The other meter's stored state stays locked: the job evaluating both cannot write it, so it stays active.
    const release = await holding(db.sql, (tx) => tx.query('SELECT 1 FROM rule_state WHERE meter_id = $1 FOR UPDATE', [other]));
    await r.submit([...volts('m1'), volts(other)[1]]);
    await until(async () => heard.length > 0);
    const [q] = openRuleQueues({ connection: redis, prefix, shards: SHARDS }).filter((_, shard) => shard === shardOf('m1', SHARDS));
    closers.push(() => q.close());
    expect(await q.getActiveCount()).toBe(1);
    expect(heard).toMatchObject([{ change: 'created', alarm: { meterId: 'm1', rule: 'V1', phase: 'A' } }]);
    await release();
    await until(() => queuesIdle());
    expect(await alarmsOf(db, 'm1')).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
  });

  it('writes the states of a job held under a steady flow every flushEveryMs, and removes the jobs written', async () => {
    const r = await runner();
    await workers({ flushEveryMs: 200 });
    const [q] = openRuleQueues({ connection: redis, prefix, shards: SHARDS }).filter((_, shard) => shard === shardOf('m1', SHARDS));
    closers.push(() => q.close());
    const stored = async () => (await db.sql.query<{ version: string }>(`SELECT version FROM rule_state WHERE meter_id = 'm1'`)).rows.map((x) => Number(x.version));
    const seen = { writtenWhileHeld: false, shrankDuringFlow: false };
    // A point every 100 ms (no lull of 1 s, so the first job is held throughout) until the wait list has shrunk
    // while points still come: only a removal of written jobs makes it shrink then. How soon depends on how long
    // the paced writes take on a busy machine, hence a flow of up to 6 s rather than a bound on the list's length.
    let lastWaiting = 0;
    for (let i = 0; i < 60 && !(seen.writtenWhileHeld && seen.shrankDuringFlow); i++) {
      await r.submit([{ kind: 'voltage', meterId: 'm1', tsMs: T0 + i * Q, values: { a: 220, b: 220, c: 220 }, multiplier: 1 }]);
      await new Promise((res) => setTimeout(res, 100));
      const [active, waiting, versions] = await Promise.all([q.getActiveCount(), q.getWaitingCount(), stored()]);
      if (i >= 5) seen.writtenWhileHeld ||= active === 1 && versions.length === 1;
      seen.shrankDuringFlow ||= active === 1 && waiting < lastWaiting;
      lastWaiting = waiting;
    }
    await until(() => queuesIdle());
    expect(seen).toEqual({ writtenWhileHeld: true, shrankDuringFlow: true });
  });

  it('a worker killed after evaluating a job, before writing the states, loses nothing: the held jobs run again', async () => {
    const tuning = { lockDurationMs: 1_000, stalledIntervalMs: 500, flushEveryMs: 200 };
    // Reads go on, writes wait: the child evaluates the first points but cannot write their state.
    const release = await holding(db.sql, (tx) => tx.query('LOCK TABLE rule_state IN EXCLUSIVE MODE'));
    const child = spawnWorker({ redis: { url: REDIS_URL, prefix }, databaseUrl: TEST_DATABASE_URL, databaseSchema: db.schema, shards: SHARDS, ...tuning });
    closers.push(async () => void child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    const r = await runner();
    // The second job, evaluated while the first is held, brings the first violating points.
    await r.submit(volts('m1').slice(0, 1));
    await r.submit(volts('m1').slice(1, 4));
    const waiting = `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'rule_state'::regclass AND NOT granted`;
    await until(async () => (await db.sql.query<{ n: number }>(waiting)).rows[0].n > 0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await release();
    expect(await alarmsOf(db, 'm1')).toEqual([]);

    await workers(tuning);
    await r.submit(volts('m1').slice(4));
    await until(async () => (await alarmsOf(db, 'm1')).length > 0);
    await until(() => queuesIdle());
    expect(await alarmsOf(db, 'm1')).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
  });

  it('a worker killed with SIGKILL in the middle of a job loses nothing: the stalled job runs again', async () => {
    const tuning = { lockDurationMs: 1_000, stalledIntervalMs: 500 };
    // Holding m1's rule lock keeps the child inside its evaluation until it is killed.
    const release = await holding(db.sql, (tx) => lockMeters(tx, ['m1']));

    const child = spawnWorker({
      redis: { url: REDIS_URL, prefix }, databaseUrl: TEST_DATABASE_URL, databaseSchema: db.schema, shards: SHARDS, ...tuning,
    });
    closers.push(async () => void child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    await (await runner()).submit(volts('m1'));
    const queues = openRuleQueues({ connection: redis, prefix, shards: SHARDS });
    closers.push(async () => void (await Promise.all(queues.map((q) => q.close()))));
    await until(async () => (await Promise.all(queues.map((q) => q.getActiveCount()))).some((n) => n === 1));
    await new Promise((r) => setTimeout(r, 300));
    expect(await alarmsOf(db, 'm1')).toEqual([]);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await release();
    await workers(tuning);
    await until(async () => (await alarmsOf(db, 'm1')).length > 0);
    await until(() => queuesIdle());
    expect(await alarmsOf(db, 'm1')).toEqual([{ start_ts: new Date(FIRST_VIOLATION_TS), events: 1 }]);
  });
});

function spawnWorker(opts: object): ChildProcess {
  const fixture = fileURLToPath(new URL('./queue-worker.fixture.ts', import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
}
