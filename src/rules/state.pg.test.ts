import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { fleetContexts, stepSamples } from '../../bench/rules-fleet.js';
import { evaluate, type MeterRuleState } from './evaluate.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { snapshotState } from './state-codec.js';
import { loadStates, saveStates } from './state.pg.js';

describe.each(DB_FLAVOURS)('rule state rows on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('stores evaluated meters\' snapshots compressed and inline (no TOAST), and reads them back as written', async () => {
    db = await openTestDatabase(flavour);
    const meters = 20;
    const contexts = [...fleetContexts(meters).values()];
    const states = new Map<string, MeterRuleState>();
    for (let step = 0; step < 24; step++) {
      const samples = stepSamples(meters, step, 5);
      for (const ctx of contexts) states.set(ctx.meter.id, evaluate(ctx, samples, DEFAULT_SETTINGS, states.get(ctx.meter.id) ?? {}).state);
    }
    const rows = [...states].map(([meterId, s]) => ({ meterId, json: snapshotState(s), version: 1 }));
    expect(Math.min(...rows.map((r) => r.json.length))).toBeGreaterThan(2_100); // over the 2 KB TOAST threshold as text
    await db.sql.transaction((tx) => saveStates(tx, rows));
    await db.sql.transaction((tx) => saveStates(tx, rows.map((r) => ({ ...r, version: 2 }))));

    const loaded = await db.sql.transaction((tx) => loadStates(tx, [...states.keys()]));
    expect(new Map([...loaded].map(([id, s]) => [id, snapshotState(s)]))).toEqual(new Map(rows.map((r) => [r.meterId, r.json])));
    const methods = await db.sql.query<{ method: string }>('SELECT DISTINCT pg_column_compression(state) AS method FROM rule_state');
    expect(methods.rows.map((r) => r.method)).toEqual([flavour === 'postgres' ? 'lz4' : 'pglz']);
    const toast = await db.sql.query<{ bytes: string }>(`SELECT pg_relation_size(reltoastrelid) AS bytes FROM pg_class WHERE oid = 'rule_state'::regclass`);
    expect(Number(toast.rows[0].bytes)).toBe(0);
  });
});
