import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/db.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { RuleEngine } from './engine.js';
import { createThreadedRuleEngine } from './engine-thread.js';

const T0 = Date.UTC(2025, 0, 6, 0, 0);
const Q = 15 * 60_000;
const log = pino({ level: 'silent' });

const ctx = (meterId: string, nominalVoltageV = 380): MeterContext => ({
  meter: { id: meterId, customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
  customer: { id: 'c1', name: 'Steelworks', classes: ['DEDICATED'], address: '1 Mill Rd', phone: '', accountManager: 'Li', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
});

function volts(meterId: string, values: number[], fromPoint = 0): AnySample[] {
  return values.map((a, i) => ({ kind: 'voltage', meterId, tsMs: T0 + (fromPoint + i) * Q, values: { a, b: 220, c: 220 }, multiplier: 1 }));
}

/** The engine on its own thread does what the in-process engine does (engine.test.ts), seen from outside. */
describe('rule engine on its own thread (PostgreSQL)', () => {
  let db: TestDatabase | undefined;
  let engine: RuleEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    await db?.drop();
  });

  async function start(): Promise<RuleEngine> {
    db = await openTestDatabase('postgres');
    await db.sql.query(`INSERT INTO customers (id, name, classes, address, account_manager, contract_kva) VALUES ('c1', 'Steelworks', '{DEDICATED}', '1 Mill Rd', 'Li', 1000)`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ('m1', 'c1', '3P4W', 380, 'primary'), ('m2', 'c1', '3P4W', 380, 'primary')`);
    engine = await createThreadedRuleEngine({ url: TEST_DATABASE_URL, schema: db.schema!, utilityTz: 'Asia/Shanghai', logLevel: 'silent', log, onCrash: () => undefined });
    return engine;
  }

  it('raises, ignores replays and clears as the in-process engine does, and writes deferred state at flush', async () => {
    const e = await start();
    const contexts = new Map([['m1', ctx('m1')]]);
    const raised = await e.evaluate(volts('m1', [220, 240, 241, 245, 240, 242]), contexts, { deferSnapshot: true });
    expect(raised.map((c) => [c.change, c.alarm.rule, c.alarm.phase, c.alarm.severity, c.alarm.peakValue])).toEqual([['created', 'V1', 'A', 'WARNING', 245]]);
    expect(await e.evaluate(volts('m1', [240, 241], 1), contexts, { deferSnapshot: true })).toEqual([]);
    // The meter's state was written with its alarm; the points after it wait for flush().
    const version = async () => (await db!.sql.query<{ version: number }>(`SELECT version FROM rule_state WHERE meter_id = 'm1'`)).rows[0]?.version;
    const before = await version();
    await e.evaluate(volts('m1', [234, 234], 6), contexts, { deferSnapshot: true });
    expect(await version()).toBe(before);
    await e.flush();
    expect(await version()).toBe(Number(before) + 1);
    const cleared = await e.evaluate(volts('m1', [225, 224], 8), contexts);
    expect(cleared.map((c) => c.change)).toEqual(['cleared']);
  });

  it('evaluates each batch with the archive entries it was given: a changed entry applies, a meter left out is skipped', async () => {
    const e = await start();
    expect(await e.evaluate(volts('m2', [230, 230, 230, 230, 230]), new Map([['m2', ctx('m2', 380)]]))).toEqual([]);
    // The same meter now on a 660 V system (381 V a phase): 230 V is far under its band (m1's samples have no entry).
    const changes = await e.evaluate([...volts('m2', [230, 230, 230, 230, 230], 5), ...volts('m1', [260, 260, 260, 260, 260])], new Map([['m2', ctx('m2', 660)]]));
    expect(new Set(changes.map((c) => c.alarm.meterId))).toEqual(new Set(['m2']));
    expect(changes.map((c) => `${c.alarm.rule}:${c.alarm.phase}`)).toContain('V1:A');
  });
});
