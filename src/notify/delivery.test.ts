import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, uniqueName, type TestDatabase } from '../../test/support/db.js';
import type { RetrySchedule } from './backoff.js';
import { alarmChange } from './change.fixture.js';
import { deliveryId } from './delivery-id.js';
import { Receiver } from './receiver.fixture.js';
import { redisConnection } from './redis-options.js';
import type { NewSubscription } from './store.js';
import { startNotify, type NotifyService } from './service.js';
import { verifySignature } from './signature.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FAST: RetrySchedule = { attempts: 40, firstDelayMs: 100, maxDelayMs: 400, jitter: 0.25 };
const log = pino({ level: 'silent' });

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function subscribe(n: NotifyService, s: NewSubscription) {
  const result = await n.api.subscribe(s);
  if (!result.ok) throw new Error(result.detail);
  return result.subscription;
}

const CASES = [
  { queue: 'bullmq', db: 'postgres' },
  { queue: 'embedded', db: 'pglite' },
  { queue: 'embedded', db: 'postgres' },
] as const;

describe.each(CASES)('webhook delivery via $queue on $db', ({ queue, db }) => {
  let tdb: TestDatabase;
  let receiver: Receiver;
  let notify: NotifyService | undefined;
  const prefix = uniqueName('lw_notify');

  async function start(schedule: RetrySchedule, requestTimeoutMs = 2_000): Promise<NotifyService> {
    notify = await startNotify({
      sql: tdb.sql,
      redisUrl: queue === 'bullmq' ? REDIS_URL : undefined,
      redisPrefix: prefix,
      allowLoopbackHttp: true,
      schedule,
      requestTimeoutMs,
      pollIntervalMs: 50,
      log,
    });
    return notify;
  }

  beforeEach(async () => {
    tdb = await openTestDatabase(db);
    receiver = new Receiver();
  });

  afterEach(async () => {
    await notify?.close();
    notify = undefined;
    await receiver.stop();
    await tdb.drop();
    if (queue === 'bullmq') {
      const q = new Queue('deliveries', { connection: redisConnection(REDIS_URL), prefix });
      await q.obliterate({ force: true });
      await q.close();
    }
  });

  it('a receiver refusing connections, then up, gets every alarm change once after dedup, each signed', async () => {
    const port = await Receiver.freePort();
    const n = await start(FAST);
    const sub = await subscribe(n, { url: `http://127.0.0.1:${port}/hook`, description: 'test', filter: {} });
    const changes = [alarmChange('created', { id: '1' }), alarmChange('created', { id: '2' }), alarmChange('cleared', { id: '1', severity: 'CRITICAL' })];
    await n.notifier.notify(changes);
    // A re-run rule job hands the same changes over again: no new deliveries.
    await n.notifier.notify(changes);
    await until(async () => (await n.api.listDeliveries(sub.id, { limit: 10 })).every((d) => d.attempts >= 2), 'failed attempts while down');
    expect(receiver.requests).toHaveLength(0);

    await receiver.start(port);
    await until(async () => (await n.api.listDeliveries(sub.id, { status: 'delivered', limit: 10 })).length === 3, 'three deliveries');

    expect(receiver.distinctIds()).toEqual(changes.map((c) => deliveryId(sub.id, c)).sort());
    for (const r of receiver.requests) {
      expect(verifySignature(r.signature, sub.secret, r.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(JSON.parse(r.body)).toMatchObject({ deliveryId: r.deliveryId, subscriptionId: sub.id });
    }
    const deliveries = await n.api.listDeliveries(sub.id, { limit: 10 });
    expect(deliveries).toHaveLength(3);
    for (const d of deliveries) {
      expect(d.lastStatusCode).toBe(200);
      expect(d.lastLatencyMs).toBeGreaterThanOrEqual(0);
      const attempts = await n.api.deliveryAttempts(d.id);
      expect(attempts.length).toBe(d.attempts);
      expect(attempts.at(-1)).toMatchObject({ statusCode: 200, error: null });
      expect(attempts[0]).toMatchObject({ statusCode: null });
      expect(attempts[0].error).toMatch(/ECONNREFUSED/);
    }
  });

  it('a receiver that times out gets the retry under the same delivery id', async () => {
    const port = await receiver.start();
    receiver.respond = () => (receiver.requests.length === 1 ? { status: 200, delayMs: 1_000 } : { status: 200 });
    const n = await start(FAST, 300);
    const sub = await subscribe(n, { url: `http://127.0.0.1:${port}/hook`, description: '', filter: {} });
    await n.notifier.notify([alarmChange('created')]);
    await until(async () => (await n.api.listDeliveries(sub.id, { status: 'delivered', limit: 10 })).length === 1, 'the delivery');
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect(receiver.distinctIds()).toEqual([deliveryId(sub.id, alarmChange('created'))]);
    const [attempt1] = await n.api.deliveryAttempts(receiver.requests[0].deliveryId);
    expect(attempt1.error).toMatch(/no response within 300 ms/);
  });

  it('a redirect is not followed and a failed last attempt leaves a dead letter that can be sent again', async () => {
    const port = await receiver.start();
    receiver.respond = () => ({ status: 302 });
    const n = await start({ attempts: 3, firstDelayMs: 50, maxDelayMs: 50, jitter: 0 });
    const sub = await subscribe(n, { url: `http://127.0.0.1:${port}/hook`, description: '', filter: {} });
    await n.notifier.notify([alarmChange('created')]);
    await until(async () => (await n.api.listDeliveries(sub.id, { status: 'dead', limit: 10 })).length === 1, 'a dead letter');
    const [dead] = await n.api.listDeliveries(sub.id, { status: 'dead', limit: 10 });
    expect(dead).toMatchObject({ attempts: 3, lastStatusCode: 302 });
    expect(dead.lastError).toMatch(/redirect to http:\/\/127\.0\.0\.1:1\/elsewhere not followed/);
    expect(receiver.requests).toHaveLength(3);

    receiver.respond = () => ({ status: 204 });
    expect(await n.api.redeliver(sub.id, dead.id)).toBe(true);
    expect(await n.api.redeliver(sub.id, dead.id)).toBe(false);
    await until(async () => (await n.api.getDelivery(sub.id, dead.id))?.status === 'delivered', 'the redelivery');
    expect(await n.api.getDelivery(sub.id, dead.id)).toMatchObject({ attempts: 4, lastStatusCode: 204 });
    expect(receiver.distinctIds()).toEqual([dead.id]);
  });

  it('a deleted subscription receives nothing more', async () => {
    const port = await Receiver.freePort();
    const n = await start(FAST);
    const sub = await subscribe(n, { url: `http://127.0.0.1:${port}/hook`, description: '', filter: {} });
    await n.notifier.notify([alarmChange('created')]);
    expect(await n.api.unsubscribe(sub.id)).toBe(true);
    await receiver.start(port);
    await new Promise((r) => setTimeout(r, 600));
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('BullMQ re-delivery', () => {
  it('a job delivered before and queued again posts nothing and makes no new delivery id', async () => {
    const tdb = await openTestDatabase('postgres');
    const prefix = uniqueName('lw_notify');
    const receiver = new Receiver();
    const port = await receiver.start();
    const n = await startNotify({ sql: tdb.sql, redisUrl: REDIS_URL, redisPrefix: prefix, allowLoopbackHttp: true, schedule: FAST, log });
    const q = new Queue('deliveries', { connection: redisConnection(REDIS_URL), prefix });
    try {
      const sub = await subscribe(n, { url: `http://127.0.0.1:${port}/hook`, description: '', filter: {} });
      await n.notifier.notify([alarmChange('created')]);
      const id = deliveryId(sub.id, alarmChange('created'));
      await until(async () => (await n.api.getDelivery(sub.id, id))?.status === 'delivered', 'the delivery');
      await q.add('deliver', { deliveryId: id }, { jobId: id, attempts: 3 });
      await until(async () => Object.values(await q.getJobCounts('wait', 'active', 'delayed')).every((c) => c === 0), 'the re-delivered job to run');
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.distinctIds()).toEqual([id]);
    } finally {
      await n.close();
      await q.obliterate({ force: true });
      await q.close();
      await receiver.stop();
      await tdb.drop();
    }
  });
});
