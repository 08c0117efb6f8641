import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, holding, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createAlarmStorePg } from '../alarms/store.pg.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { Sql } from '../db/sql.js';
import { createRuleEngine } from './engine.js';
import { lockMeters } from './state.pg.js';
import { defaultRows } from './settings.js';

const T0 = Date.UTC(2025, 0, 6, 0, 0);
const Q = 15 * 60_000;
const log = pino({ level: 'silent' });

const ctx: MeterContext = {
  meter: { id: 'm1', customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
  customer: { id: 'c1', name: 'Steelworks', classes: ['DEDICATED'], address: '1 Mill Rd', phone: '', accountManager: 'Li', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null },
};
const contexts = new Map([['m1', ctx]]);

function volts(values: number[], fromPoint = 0): AnySample[] {
  return values.map((a, i) => ({ kind: 'voltage', meterId: 'm1', tsMs: T0 + (fromPoint + i) * Q, values: { a, b: 220, c: 220 }, multiplier: 1 }));
}

async function seedArchive(db: TestDatabase): Promise<void> {
  await db.sql.query(`INSERT INTO customers (id, name, classes, address, account_manager, contract_kva) VALUES ('c1', 'Steelworks', '{DEDICATED}', '1 Mill Rd', 'Li', 1000)`);
  await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ('m1', 'c1', '3P4W', 380, 'primary')`);
}

describe.each(DB_FLAVOURS)('rule engine on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('raises one alarm for a sustained over-voltage, ignores replays, clears with hysteresis', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const store = createAlarmStorePg(db.sql);

    // DEDICATED V1: 4 points → WARNING; the first violating sample is point 1.
    const raised = await engine.evaluate(volts([220, 240, 241, 245, 240, 242]), contexts);
    expect(raised.map((c) => c.change)).toEqual(['created']);
    expect(raised[0].alarm).toMatchObject({
      rule: 'V1', phase: 'A', severity: 'WARNING', active: true, acknowledged: false, meterId: 'm1',
      startTs: new Date(T0 + Q).toISOString(), lastTs: new Date(T0 + 5 * Q).toISOString(), peakValue: 245,
      customer: { id: 'c1', name: 'Steelworks', classes: ['DEDICATED'], address: '1 Mill Rd', accountManager: 'Li' },
    });

    // Replay of the same batch, and a second engine (a restart) seeing it again: nothing new.
    expect(await engine.evaluate(volts([220, 240, 241, 245, 240, 242]), contexts)).toEqual([]);
    const restarted = await createRuleEngine({ sql: db.sql, log });
    expect(await restarted.evaluate(volts([240, 241]).reverse(), contexts)).toEqual([]);

    // 234 V is under the limit but inside the hysteresis zone (234.75 × 0.99 = 232.4): still active.
    expect(await restarted.evaluate(volts([234, 234], 6), contexts)).toEqual([]);
    const cleared = await restarted.evaluate(volts([225, 224], 8), contexts);
    expect(cleared.map((c) => c.change)).toEqual(['cleared']);
    expect(cleared[0].alarm).toMatchObject({ active: false, clearTs: new Date(T0 + 9 * Q).toISOString() });

    expect(await store.list({ state: 'all' })).toHaveLength(1);
    expect(await store.list({ state: 'open' })).toHaveLength(0);
    const events = await db.sql.query<{ type: string }>('SELECT type FROM alarm_events ORDER BY id');
    expect(events.rows.map((e) => e.type)).toEqual(['created', 'cleared']);
  });

  it('keeps counting across batches through rule_state and escalates O1', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const load = (beta: number, point: number): AnySample => ({ kind: 'load', meterId: 'm1', tsMs: T0 + point * Q, values: { p: beta * 10, q: 0, pf: 1 }, multiplier: 1 });
    const changes = [];
    for (const [point, beta] of [105, 105, 105, 105, 125, 125].entries()) {
      changes.push(...(await engine.evaluate([load(beta, point)], contexts)));
    }
    expect(changes.map((c) => `${c.change} ${c.alarm.severity}`)).toEqual(['created MINOR', 'updated MINOR', 'escalated MAJOR']);
    expect(changes[2].alarm).toMatchObject({ threshold: 120, startTs: new Date(T0).toISOString(), peakValue: 125 });
    const states = await db.sql.query<{ state: Record<string, unknown> }>(`SELECT state FROM rule_state WHERE meter_id = 'm1'`);
    expect(Object.keys(states.rows[0].state).filter((k) => !k.startsWith('_recent'))).toEqual(['O1:']);
  });

  it('defers a snapshot without alarm changes to flush(); writes one with alarm changes at once', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const stored = async () => (await db.sql.query<{ version: string }>(`SELECT version FROM rule_state WHERE meter_id = 'm1'`)).rows.map((r) => Number(r.version));

    // DEDICATED V1 raises after 4 points: 3 violating points change no alarm, so nothing is written yet.
    expect(await engine.evaluate(volts([240, 240, 240]), contexts, { deferSnapshot: true })).toEqual([]);
    expect(await stored()).toEqual([]);
    await engine.flush();
    expect(await stored()).toEqual([1]);
    // Another process (a restart) continues from the snapshot: the 4th point raises.
    const other = await createRuleEngine({ sql: db.sql, log });
    expect((await other.evaluate(volts([240], 3), contexts, { deferSnapshot: true })).map((c) => c.change)).toEqual(['created']);
    expect(await stored()).toEqual([2]);
    // The first engine's cache is behind the stored version now: it reloads instead of raising again.
    expect(await engine.evaluate(volts([240], 3), contexts, { deferSnapshot: true })).toEqual([]);
    expect((await engine.evaluate(volts([220, 220], 4), contexts, { deferSnapshot: true })).map((c) => c.change)).toEqual(['cleared']);
    expect(await stored()).toEqual([3]);
    await engine.flush();
    expect(await stored()).toEqual([3]);
  });

  it('reloads a state another process moved on, instead of counting on from its own copy', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    // DEDICATED V1 raises after 4 points: three violating points, stored by flush().
    await engine.evaluate(volts([240, 240, 240]), contexts, { deferSnapshot: true });
    await engine.flush();
    // Another process sees a sound point, which ends the run of violations, and stores that.
    const other = await createRuleEngine({ sql: db.sql, log });
    await other.evaluate(volts([220], 3), contexts, { deferSnapshot: true });
    await other.flush();
    // From its own copy the first engine would count a fourth violating point here and raise.
    expect(await engine.evaluate(volts([240], 4), contexts, { deferSnapshot: true })).toEqual([]);
  });

  it('drops its unwritten state of a meter another process moved on, rather than overwrite that', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const other = await createRuleEngine({ sql: db.sql, log });
    await engine.evaluate(volts([240, 240, 240]), contexts, { deferSnapshot: true });
    await other.evaluate(volts([220], 3), contexts, { deferSnapshot: true });
    await other.flush();
    await engine.flush();
    // The stored state is the other process's: a fourth violating point after it raises nothing.
    const third = await createRuleEngine({ sql: db.sql, log });
    expect(await third.evaluate(volts([240], 4), contexts, { deferSnapshot: true })).toEqual([]);
  });

  it('flushes only the meters it is given', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ('m2', 'c1', '3P4W', 380, 'primary')`);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const both = new Map([...contexts, ['m2', { ...ctx, meter: { ...ctx.meter, id: 'm2' } }]]);
    const stored = async () => (await db.sql.query<{ meter_id: string }>('SELECT meter_id FROM rule_state ORDER BY meter_id')).rows.map((r) => r.meter_id);
    await engine.evaluate([...volts([240]), ...volts([240]).map((s) => ({ ...s, meterId: 'm2' }))], both, { deferSnapshot: true });
    await engine.flush(['m2']);
    expect(await stored()).toEqual(['m2']);
    await engine.flush();
    expect(await stored()).toEqual(['m1', 'm2']);
  });

  it('evaluates a batch of several slices back to back while a flush is under way', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    // Three evaluation slices (1,000 meters each at most), and a flush of 41 slices.
    const ids = Array.from({ length: 2_001 }, (_, i) => `f${i}`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) SELECT unnest($1::text[]), 'c1', '3P4W', 380, 'primary'`, [ids]);
    const fleet = new Map(ids.map((id) => [id, { ...ctx, meter: { ...ctx.meter, id } }]));
    const point = (n: number) => ids.map((meterId): AnySample => ({ kind: 'voltage', meterId, tsMs: T0 + n * Q, values: { a: 220, b: 220, c: 220 }, multiplier: 1 }));
    // Evaluation slices and flush transactions in the order they began: a slice by its read of the stored versions
    // (outside any transaction: these evaluations change no alarm), a transaction by its first statement.
    const began: string[] = [];
    const kindOf = (text: string) => (text.includes('synchronous_commit') ? 'flush' : text.includes('txid_current') ? 'wal' : 'evaluation write');
    const sql: Sql = {
      ...db.sql,
      query: (text, params) => {
        if (text.includes('LEFT JOIN rule_state')) began.push('evaluate');
        return db.sql.query(text, params);
      },
      transaction: (fn) => db.sql.transaction((tx) => {
        let first = true;
        const query: Sql['query'] = (text, params) => {
          if (first) began.push(kindOf(text));
          first = false;
          return tx.query(text, params);
        };
        return fn({ ...tx, query });
      }),
    };
    const engine = await createRuleEngine({ sql, log });
    await engine.evaluate(point(0), fleet, { deferSnapshot: true });
    began.length = 0;
    const flushing = engine.flush();
    await engine.evaluate(point(1), fleet, { deferSnapshot: true });
    await flushing;
    // A flush slice may come before the batch or after it, never between its slices.
    const evaluations = began.flatMap((kind, i) => (kind === 'evaluate' ? [i] : []));
    expect(evaluations).toHaveLength(3);
    expect(evaluations[2] - evaluations[0]).toBe(2);
    expect(began.filter((kind) => kind === 'flush')).toHaveLength(41);
    expect(began).not.toContain('evaluation write');
  });

  it('seeds settings once and honours an edit', async () => {
    db = await openTestDatabase(flavour);
    await seedArchive(db);
    await createRuleEngine({ sql: db.sql, log });
    await db.sql.query(`UPDATE rule_settings SET enabled = false WHERE class = 'DEDICATED' AND rule = 'V1'`);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const count = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM rule_settings');
    expect(count.rows[0].n).toBe(defaultRows().length);
    const changes = await engine.evaluate(volts([240, 240, 240, 240]), contexts);
    expect(changes).toEqual([]);
  });
});

describe('rule engine beside another writer on postgres', () => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  async function untilWaitingForLock(sql: Sql): Promise<void> {
    const waiting = async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows[0].n;
    while ((await waiting()) === 0) await new Promise((r) => setTimeout(r, 10));
  }

  const openAlarms = async () => (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM alarms WHERE active`)).rows[0].n;

  it('takes a meter\'s lock only to write: quiet points go on while another transaction holds it', async () => {
    db = await openTestDatabase('postgres');
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    const release = await holding(db.sql, (tx) => lockMeters(tx, ['m1']));
    try {
      // DEDICATED V1 raises at the 4th violating point: three change no alarm and take no lock.
      expect(await engine.evaluate(volts([240, 240, 240]), contexts, { deferSnapshot: true })).toEqual([]);
      const raising = engine.evaluate(volts([240], 3), contexts, { deferSnapshot: true });
      await untilWaitingForLock(db.sql);
      expect(await openAlarms()).toBe(0);
      await release();
      expect((await raising).map((c) => c.change)).toEqual(['created']);
    } finally {
      await release();
    }
  });

  it('evaluates a meter again from what another writer stored between its read and its lock', async () => {
    db = await openTestDatabase('postgres');
    await seedArchive(db);
    const engine = await createRuleEngine({ sql: db.sql, log });
    await engine.evaluate(volts([240, 240, 240]), contexts, { deferSnapshot: true });
    await engine.flush();
    // Another process sees a sound point and flushes it, its transaction held open after the write.
    let commit!: () => void;
    const committing = new Promise<void>((r) => (commit = r));
    let writtenUncommitted!: () => void;
    const written = new Promise<void>((r) => (writtenUncommitted = r));
    let holdNext = false;
    const otherSql: Sql = {
      ...db.sql,
      transaction: (fn) => db.sql.transaction(async (tx) => {
        const result = await fn(tx);
        if (holdNext) {
          holdNext = false;
          writtenUncommitted();
          await committing;
        }
        return result;
      }),
    };
    const other = await createRuleEngine({ sql: otherSql, log });
    await other.evaluate(volts([220], 3), contexts, { deferSnapshot: true });
    holdNext = true;
    const otherFlush = other.flush();
    await written;
    // From its own copy this engine counts a 4th violating point and would raise; it waits for the lock, then
    // finds the version moved and evaluates from the stored state, where the sound point ended the run.
    const evaluating = engine.evaluate(volts([240], 4), contexts, { deferSnapshot: true });
    await untilWaitingForLock(db.sql);
    commit();
    await otherFlush;
    expect(await evaluating).toEqual([]);
    expect(await openAlarms()).toBe(0);
  });
});
