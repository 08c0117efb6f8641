import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from '../../src/archive/columns.js';
import { openPg } from '../../src/db/sql.pg.js';
import { Receiver } from '../../src/notify/receiver.fixture.js';
import { REDIS_ERROR_LOG_WINDOW_MS } from '../../src/notify/redis-options.js';
import { verifySignature } from '../../src/notify/signature.js';
import { killService, spawnService } from '../support/child-service.js';
import { TEST_DATABASE_URL, uniqueName } from '../support/db.js';
import { dropSchema } from '../support/service.js';
import { sleep } from './support.js';
import { startOwnRedis } from './redis-server.js';
import { loopbackEnv, schemaEnv } from '../support/service-env.js';

// Issue #8 test 3 at its own scale in CI: 1,000 threshold-crossing samples.
const METERS = Array.from({ length: 1_000 }, (_, i) => `RR${String(i).padStart(4, '0')}`);
const FLOW_MS = 10_000;
// Redis is away this long, a third of the way into the flow.
const REDIS_DOWN_MS = 3_000;
const Q = 15 * 60_000;

/** KEY customers, 380 V three-phase: one point above the qualified band (234.8 V) raises a V1 alarm on phase A. */
function archive(): string {
  const rows = METERS.map((m, i) => `RC${i},Redis Fault ${i},KEY,"${i} Test Rd",021-5555,Li Ming,100,0.9,31.2,121.5,${m},T01,3P4W,380,1,1,1,primary`);
  return [ARCHIVE_COLUMNS.join(','), ...rows].join('\n');
}

describe('Redis restart under a flow of alarms', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => console.error('cleanup failed', err));
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(`Redis stopped with %s and started again mid-flow: exactly ${METERS.length} alarms, each delivered once, signed`, async (signal) => {
    const own = await startOwnRedis();
    cleanups.push(() => own.close());
    const receiver = new Receiver();
    cleanups.push(() => receiver.stop());
    const hookPort = await receiver.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'loadwatch-fault-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const schema = uniqueName('lw_fault');
    cleanups.push(() => dropSchema(schema));
    const child = await spawnService({
      ...loopbackEnv(dataDir),
      ...schemaEnv(schema),
      REDIS_URL: own.url,
      RULE_WORKERS_IN_PROCESS: 'true',
      NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
    });
    cleanups.push(async () => {
      if (child.proc.exitCode !== null || child.proc.signalCode !== null) console.error(`service died:\n${child.stderr().slice(-3000)}`);
      await killService(child);
    });
    const imported = await child.api('/api/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: archive() });
    expect(imported.status, await imported.clone().text()).toBe(200);
    const created = await child.api('/api/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${hookPort}/hook`, description: 'fault' }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const sub = (await created.json()) as { id: string; secret: string };

    const device = await mqtt.connectAsync(child.mqttUrl, { clientId: `T01-${signal}`, reconnectPeriod: 0 });
    cleanups.push(() => device.endAsync(true));
    const ts = Math.floor(Date.now() / Q) * Q - 2 * Q;
    const pending: Promise<unknown>[] = [];
    let acked = 0;
    let restartMs = 0;
    const startedMs = Date.now();
    for (let i = 0; i < METERS.length; i++) {
      const record = { meter: METERS[i], ts, a: 251.3, b: 229, c: 230 };
      pending.push(device.publishAsync('concentrators/T01/voltage', JSON.stringify({ records: [record] }), { qos: 1 }).then(() => acked++));
      if (i === Math.floor(METERS.length / 3)) {
        // Stopped and started again while the rest of the flow goes on.
        void (async () => {
          const stoppedMs = Date.now();
          await own.stop(signal);
          await sleep(REDIS_DOWN_MS);
          await own.start();
          restartMs = Date.now() - stoppedMs;
        })();
      }
      await sleep(FLOW_MS / METERS.length);
    }
    await Promise.all(pending);
    const flowMs = Date.now() - startedMs;

    const sql = await openPg({ url: TEST_DATABASE_URL, schema, maxConnections: 1 });
    cleanups.push(() => sql.close());
    const alarmCount = async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM alarms WHERE rule = 'V1'`)).rows[0].n;
    const waitStartMs = Date.now();
    while ((await alarmCount()) < METERS.length || receiver.distinctIds().length < METERS.length) {
      expect(
        Date.now() - waitStartMs,
        `all alarms raised and delivered within 30 s (${await alarmCount()} alarms, ${receiver.distinctIds().length} delivery ids)`,
      ).toBeLessThan(30_000);
      await sleep(200);
    }
    const settleMs = Date.now() - waitStartMs;
    await sleep(1_000);

    const perMeter = await sql.query<{ meter_id: string; phase: string; n: number }>(`SELECT meter_id, phase, count(*)::int AS n FROM alarms GROUP BY meter_id, phase, rule ORDER BY meter_id`);
    expect(perMeter.rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(perMeter.rows.map((r) => [r.meter_id, r.phase])).toEqual(METERS.map((m) => [m, 'A']));
    expect(receiver.distinctIds()).toHaveLength(METERS.length);
    const nowS = Math.floor(Date.now() / 1000);
    const alarmIds = new Set<string>();
    for (const r of receiver.requests) {
      expect(verifySignature(r.signature, sub.secret, r.body, nowS), `signature of ${r.deliveryId}`).toBe(true);
      const body = JSON.parse(r.body) as { deliveryId: string; subscriptionId: string; change: string; alarm: { id: string; meterId: string } };
      expect(body).toMatchObject({ deliveryId: r.deliveryId, subscriptionId: sub.id, change: 'created' });
      alarmIds.add(body.alarm.id);
    }
    expect(alarmIds.size).toBe(METERS.length);
    expect(child.proc.exitCode).toBeNull();
    const warnings = child.lines.filter((l) => typeof l.level === 'number' && l.level >= 40);
    // Every queue, worker and listener of every shard retries ~10 times a second while Redis is away
    // (~90 lines/s unthrottled): one line per kind (message and error code) per window instead.
    const redisErrors = new Map<string, number>();
    for (const l of warnings) {
      // BullMQ's script errors carry numeric codes (-1: "Missing key for job ... moveToFinished" when a script
      // Redis ran just before it stopped is sent again after the reconnect); they are not connection errors.
      const err = l.err as { code?: string | number; message?: string } | undefined;
      if (!err || !((typeof err.code === 'string' && err.code.startsWith('E')) || err.message?.includes('onnection'))) continue;
      const kind = `${String(l.msg)} (${err.code ?? err.message})`;
      redisErrors.set(kind, (redisErrors.get(kind) ?? 0) + 1);
    }
    const windows = 1 + Math.floor((Date.now() - startedMs) / REDIS_ERROR_LOG_WINDOW_MS);
    expect([...redisErrors].filter(([, n]) => n > windows), `at most ${windows} line(s) per kind`).toEqual([]);
    console.info(
      `[redis ${signal}] Redis connection errors logged: ${[...redisErrors].map(([k, n]) => `${n} x ${k}`).join('; ')}`,
    );
    console.info(
      `[redis ${signal}] ${METERS.length} samples acked ${acked} over ${flowMs} ms; Redis back ${restartMs} ms after the ${signal}; ` +
        `${perMeter.rows.length} alarms; ${receiver.requests.length} webhook requests for ${receiver.distinctIds().length} delivery ids; ` +
        `all raised and delivered ${settleMs} ms after the last PUBACK; the service logged ${warnings.length} warnings/errors ` +
        `(first: ${String(warnings[0]?.msg)})`,
    );
  }, 60_000);
});
