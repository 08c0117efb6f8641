import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, uniqueName, type TestDatabase } from '../../test/support/db.js';
import type { AlarmChange } from '../alarms/store.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import { createRuleEngine } from './engine.js';
import { openRuleRedis } from './queue-redis.redis.js';
import { openRuleRunner } from './runner-from-config.js';

const log = pino({ level: 'silent' });
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2025, 0, 6, 0, 0);
const Q = 15 * 60_000;
const ctx: MeterContext = {
  meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
  customer: { id: 'c1', name: 'Steelworks', classes: ['DEDICATED'], address: '1 Mill Rd', phone: '', accountManager: 'Li', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
};
const samples: AnySample[] = [220, 240, 241, 245, 240, 242, 243, 244].map((a, i) => ({
  kind: 'voltage', meterId: 'm1', tsMs: T0 + i * Q, values: { a, b: 220, c: 220 }, multiplier: 1,
}));

// The embedded database: with REDIS_URL the jobs must be worked in this process, since no worker can reach it.
describe.each([
  ['inline (no REDIS_URL)', false],
  ['BullMQ with the embedded database', true],
])('openRuleRunner: %s', (_name, withRedis) => {
  let db: TestDatabase;
  let prefix: string | undefined;
  afterEach(async () => {
    await db.drop();
    if (!prefix) return;
    const redis: Redis = await openRuleRedis(REDIS_URL, log);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('evaluates a submitted batch and reports the alarm it raised once', async () => {
    db = await openTestDatabase('pglite');
    await db.sql.query(`INSERT INTO customers (id, name, classes, address, account_manager, contract_kva) VALUES ('c1', 'Steelworks', '{DEDICATED}', '1 Mill Rd', 'Li', 1000)`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ('m1', 'c1', '3P4W', 380, 'primary')`);
    prefix = withRedis ? uniqueName('lwtest') : undefined;
    const changes: AlarmChange[] = [];
    const runner = await openRuleRunner(
      {
        redis: prefix ? { url: REDIS_URL, prefix } : undefined,
        ruleQueue: { shards: 2, workersInProcess: false },
        database: { url: undefined, schema: 'public' },
      },
      { engine: await createRuleEngine({ sql: db.sql, log }), contextOf: (id) => (id === 'm1' ? ctx : undefined), onChanges: (c) => void changes.push(...c), log },
    );
    await runner.submit(samples);
    await runner.submit(samples);
    for (let i = 0; i < 100 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    await runner.close();
    expect(changes.map((c) => [c.change, c.alarm.rule, c.alarm.phase, c.alarm.startTs])).toEqual([
      ['created', 'V1', 'A', new Date(T0 + Q).toISOString()],
    ]);
  });
});
