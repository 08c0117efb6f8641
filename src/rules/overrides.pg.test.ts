import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DB_FLAVOURS } from '../../test/support/db.js';
import { openTestApp, type TestApp } from '../api/routes/app.fixture.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import { createRuleEngine, type RuleEngine } from './engine.js';

const T0 = Date.UTC(2025, 0, 6, 0, 0);
const Q = 15 * 60_000;
const log = pino({ level: 'silent' });

const ctx: MeterContext = {
  meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
  customer: { id: 'c1', name: 'Steelworks', classes: ['DEDICATED'], address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
};
const contexts = new Map([['m1', ctx]]);

/** Phase A over the qualified band (DEDICATED V1: 4 points → WARNING). */
function overVoltage(fromPoint: number, n = 4): AnySample[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'voltage' as const, meterId: 'm1', tsMs: T0 + (fromPoint + i) * Q, values: { a: 240, b: 220, c: 220 }, multiplier: 1 }));
}

/** Routes the fixture's rule-profiles onChange hook (it counts) to the engine, as main.ts does. */
function invalidateOnChange(t: TestApp, engine: RuleEngine): void {
  let count = t.invalidations.count;
  Object.defineProperty(t.invalidations, 'count', {
    get: () => count,
    set: (n: number) => {
      count = n;
      engine.invalidateSettings();
    },
  });
}

describe.each(DB_FLAVOURS)('settings changes over the API reach the engine on %s', (flavour) => {
  let t: TestApp;
  afterEach(async () => {
    vi.useRealTimers();
    await t?.close();
  });
  const put = (url: string, rules: unknown) => t.app.inject({ method: 'PUT', url, payload: { by: 'planner', rules } as object });

  it("an override made through this process changes its very next evaluation, and any other engine's within 5 s", async () => {
    t = await openTestApp(flavour);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2025, 5, 1));
    const engine = await createRuleEngine({ sql: t.db.sql, log });
    const other = await createRuleEngine({ sql: t.db.sql, log });
    // A one-point sustain for this customer only: the first violating point raises, in both engines.
    expect((await put('/api/customers/c1/rule-overrides', { V1: { tiers: [{ severity: 'MAJOR', sustainPoints: 1 }] } })).statusCode).toBe(200);
    const raised = await engine.evaluate(overVoltage(0, 1), contexts);
    expect(raised.map((c) => `${c.change} ${c.alarm.rule} ${c.alarm.severity}`)).toEqual(['created V1 MAJOR']);
    expect(await other.evaluate(overVoltage(0, 1), contexts)).toEqual([]);
    // Disabled for this customer; this process's engine is told (as main.ts wires the API to it), the other is not.
    expect((await put('/api/customers/c1/rule-overrides', { V2: { enabled: false }, V1: { enabled: false } })).statusCode).toBe(200);
    engine.invalidateSettings();
    await t.db.sql.query('DELETE FROM alarms');
    await t.db.sql.query('DELETE FROM rule_state');
    expect(await engine.evaluate(overVoltage(10), contexts)).toEqual([]);
    vi.setSystemTime(Date.UTC(2025, 5, 1) + 5_001);
    expect(await other.evaluate(overVoltage(20), contexts)).toEqual([]);
  });

  it('a class profile change reaches a running engine within 5 s', async () => {
    t = await openTestApp(flavour);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2025, 5, 1));
    const engine = await createRuleEngine({ sql: t.db.sql, log });
    expect(await engine.evaluate(overVoltage(0, 1), contexts)).toEqual([]); // warms the settings cache
    expect((await put('/api/rule-profiles/DEDICATED', { V1: { tiers: [{ severity: 'CRITICAL', sustainPoints: 1 }] } })).statusCode).toBe(200);
    expect(t.invalidations.count).toBe(1);
    vi.setSystemTime(Date.UTC(2025, 5, 1) + 5_001);
    const raised = await engine.evaluate(overVoltage(1, 1), contexts);
    expect(raised.map((c) => `${c.change} ${c.alarm.severity}`)).toEqual(['created CRITICAL']);
  });

  it('a class profile change made through this process applies at its very next evaluation; other processes within 5 s', async () => {
    t = await openTestApp(flavour);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2025, 5, 1));
    const engine = await createRuleEngine({ sql: t.db.sql, log });
    const other = await createRuleEngine({ sql: t.db.sql, log });
    invalidateOnChange(t, engine);
    expect(await engine.evaluate(overVoltage(0, 1), contexts)).toEqual([]); // warms the settings cache
    expect(await other.evaluate(overVoltage(0, 1), contexts)).toEqual([]);
    expect((await put('/api/rule-profiles/DEDICATED', { V1: { tiers: [{ severity: 'CRITICAL', sustainPoints: 1 }] } })).statusCode).toBe(200);
    // No time passes: the engine behind the API sees the one-point sustain at once.
    const raised = await engine.evaluate(overVoltage(1, 1), contexts);
    expect(raised.map((c) => `${c.change} ${c.alarm.rule} ${c.alarm.severity}`)).toEqual(['created V1 CRITICAL']);
    // Another process still has the 4-point default cached: its next point (2 of 4) raises nothing new.
    await t.db.sql.query('DELETE FROM alarms');
    await t.db.sql.query('DELETE FROM rule_state');
    expect(await other.evaluate(overVoltage(10, 1), contexts)).toEqual([]);
  });
});
