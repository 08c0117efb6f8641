import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetrySchedule } from '../../src/notify/backoff.js';
import { alarmChange } from '../../src/notify/change.fixture.js';
import { deliveryId } from '../../src/notify/delivery-id.js';
import { Receiver } from '../../src/notify/receiver.fixture.js';
import { redisConnection } from '../../src/notify/redis-options.js';
import { startNotify } from '../../src/notify/service.js';
import { verifySignature } from '../../src/notify/signature.js';
import { openTestDatabase, uniqueName } from '../support/db.js';
import { FAULT_LONG, sleep } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// The 10 minutes of refused connections, scaled down to 8 s (FAULT_LONG=1: the full 10 minutes).
const REFUSING_MS = FAULT_LONG ? 600_000 : 8_000;
// Retries every 100..400 ms instead of 10 s..1 h; enough attempts to outlast the outage and the 500s.
const SCHEDULE: RetrySchedule = { attempts: FAULT_LONG ? 2_000 : 100, firstDelayMs: 100, maxDelayMs: 400, jitter: 0.25 };
const FAILING_500S = 3;
const ALARMS = 20;
const log = pino({ level: 'silent' });

describe('webhook receiver outage', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => console.error('cleanup failed', err));
  });

  it(`refusing connections for ${REFUSING_MS / 1000} s, then 500 three times, then 200: every alarm delivered once, signed, under a stable id`, async () => {
    const db = await openTestDatabase('postgres');
    cleanups.push(() => db.drop());
    const prefix = uniqueName('lw_fault_hook');
    cleanups.push(async () => {
      const q = new Queue('deliveries', { connection: redisConnection(REDIS_URL), prefix });
      await q.obliterate({ force: true });
      await q.close();
    });
    const receiver = new Receiver();
    cleanups.push(() => receiver.stop());
    const port = await Receiver.freePort();
    const notify = await startNotify({ sql: db.sql, redisUrl: REDIS_URL, redisPrefix: prefix, allowLoopbackHttp: true, schedule: SCHEDULE, requestTimeoutMs: 2_000, pollIntervalMs: 50, log });
    cleanups.push(() => notify.close());
    const subscribed = await notify.api.subscribe({ url: `http://127.0.0.1:${port}/hook`, description: 'fault', filter: {} });
    if (!subscribed.ok) throw new Error(subscribed.detail);
    const sub = subscribed.subscription;

    const changes = Array.from({ length: ALARMS }, (_, i) => alarmChange('created', { id: String(1000 + i), meterId: `WH${i}` }));
    const expectedIds = changes.map((c) => deliveryId(sub.id, c)).sort();
    await notify.notifier.notify(changes);
    const refusedFromMs = Date.now();
    await sleep(REFUSING_MS);
    const duringOutage = await notify.api.listDeliveries(sub.id, { limit: 100 });
    expect(duringOutage.map((d) => d.id).sort()).toEqual(expectedIds);
    expect(duringOutage.every((d) => d.status !== 'delivered' && d.attempts >= 2)).toBe(true);

    // Per delivery id: 500 for its first three requests, then 200.
    const seen = new Map<string, number>();
    receiver.respond = (r) => {
      const n = (seen.get(r.deliveryId) ?? 0) + 1;
      seen.set(r.deliveryId, n);
      return { status: n <= FAILING_500S ? 500 : 200 };
    };
    await receiver.start(port);
    const upMs = Date.now();
    for (;;) {
      const delivered = await notify.api.listDeliveries(sub.id, { status: 'delivered', limit: 100 });
      if (delivered.length === ALARMS) break;
      expect(Date.now() - upMs, 'all delivered within 30 s of the receiver answering').toBeLessThan(30_000);
      await sleep(100);
    }
    const allDeliveredMs = Date.now() - upMs;
    await sleep(500);

    expect(receiver.distinctIds()).toEqual(expectedIds);
    const nowS = Math.floor(Date.now() / 1000);
    const bodiesById = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      expect(verifySignature(r.signature, sub.secret, r.body, nowS), `signature of ${r.deliveryId}`).toBe(true);
      expect(JSON.parse(r.body)).toMatchObject({ deliveryId: r.deliveryId, subscriptionId: sub.id });
      bodiesById.set(r.deliveryId, (bodiesById.get(r.deliveryId) ?? new Set()).add(r.body));
    }
    // Exactly three 500s and one 200 per alarm: nothing posted after the success.
    for (const id of expectedIds) expect(seen.get(id), `requests for ${id}`).toBe(FAILING_500S + 1);
    const attemptsTotal: number[] = [];
    for (const d of await notify.api.listDeliveries(sub.id, { limit: 100 })) {
      expect(d).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
      const attempts = await notify.api.deliveryAttempts(d.id);
      expect(attempts.length).toBe(d.attempts);
      const refused = attempts.filter((a) => a.statusCode === null);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const a of refused) expect(a.error).toMatch(/ECONNREFUSED/);
      expect(attempts.slice(refused.length).map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
      attemptsTotal.push(d.attempts);
    }
    console.info(
      `[webhook outage ${REFUSING_MS / 1000} s] ${ALARMS} alarms, ${receiver.requests.length} requests to ${receiver.distinctIds().length} delivery ids ` +
        `(bodies per id: max ${Math.max(...[...bodiesById.values()].map((s) => s.size))}); attempts per delivery ${Math.min(...attemptsTotal)}..${Math.max(...attemptsTotal)}; ` +
        `all delivered ${allDeliveredMs} ms after the receiver came up (${Date.now() - refusedFromMs} ms after the first refusal)`,
    );
  }, 60_000);
});
