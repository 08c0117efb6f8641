import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { migrate } from '../db/migrate.js';
import type { Sample } from '../domain/sample.js';
import { createPgTelemetryStore } from './telemetry.pg.js';

const at = (iso: string) => Date.parse(iso);
const load = (meterId: string, iso: string, p: number): Sample<'load'> => ({
  kind: 'load', meterId, tsMs: at(iso), values: { p, q: null, pf: null }, multiplier: 1,
});

describe.each(DB_FLAVOURS)('telemetry day partitions on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  /** Rows of telemetry_load per partition. */
  const placement = async () =>
    Object.fromEntries(
      (await db.sql.query<{ part: string; n: number }>(`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM telemetry_load GROUP BY 1 ORDER BY 1`)).rows.map(
        (r) => [r.part.replace(/^.*\./, ''), r.n],
      ),
    );

  it('stores each UTC day in a partition of its own, made when the first batch of the day comes', async () => {
    db = await openTestDatabase(flavour);
    const store = createPgTelemetryStore(db.sql);
    const result = await store.write([load('M1', '2025-06-03T23:45:00Z', 1), load('M1', '2025-06-04T00:00:00Z', 2), load('M2', '2025-06-04T00:15:00Z', 3)]);
    expect(result).toEqual({ inserted: 3, overwritten: 0, duplicates: 0 });
    expect(await placement()).toEqual({ telemetry_load_20250603: 1, telemetry_load_20250604: 2 });
    expect((await store.series('M1', 'load', at('2025-06-03T00:00:00Z'), at('2025-06-05T00:00:00Z'))).values.p).toEqual([1, 2]);
    // A re-send across the boundary still finds its row: one row per key, whatever the partition.
    expect(await store.write([load('M1', '2025-06-03T23:45:00Z', 1), load('M1', '2025-06-04T00:00:00Z', 5)])).toEqual({ inserted: 0, overwritten: 1, duplicates: 1 });
  });

  it('makes a day again when an operator dropped it while the store counted on it', async () => {
    db = await openTestDatabase(flavour);
    const store = createPgTelemetryStore(db.sql);
    await store.write([load('M1', '2025-06-03T10:00:00Z', 1)]);
    await db.sql.exec('DROP TABLE telemetry_load_20250603');
    expect(await store.write([load('M1', '2025-06-03T10:15:00Z', 2)])).toEqual({ inserted: 1, overwritten: 0, duplicates: 0 });
    expect(await placement()).toEqual({ telemetry_load_20250603: 1 });
  });

  it('lets several writers make the same days at once', async () => {
    db = await openTestDatabase(flavour);
    const days = ['2025-07-01', '2025-07-02', '2025-07-03'];
    const results = await Promise.all(
      ['A', 'B', 'C', 'D'].map((m) => createPgTelemetryStore(db.sql).write(days.map((d) => load(m, `${d}T06:00:00Z`, 1)))),
    );
    expect(results.every((r) => r.inserted === 3)).toBe(true);
    expect(await placement()).toEqual({ telemetry_load_20250701: 4, telemetry_load_20250702: 4, telemetry_load_20250703: 4 });
  });

  // PGlite has one connection: a reader and a writer cannot overlap there.
  if (flavour === 'postgres') it('makes a day while a reader has the table open, without waiting for it', async () => {
    db = await openTestDatabase(flavour);
    const store = createPgTelemetryStore(db.sql);
    const wrote = await db.sql.transaction(async (tx) => {
      await tx.query('SELECT count(*) FROM telemetry_load');
      // A dashboard's query in flight: an ACCESS EXCLUSIVE lock on telemetry_load would wait for this transaction.
      const write = store.write([load('M1', '2025-08-01T00:00:00Z', 1)]);
      const timeout = new Promise<'blocked'>((resolve) => setTimeout(resolve, 3_000, 'blocked'));
      return Promise.race([write, timeout]);
    });
    expect(wrote).toEqual({ inserted: 1, overwritten: 0, duplicates: 0 });
  });

  it('keeps rows stored before partitioning in place, takes their days there and new days beside them', async () => {
    db = await openTestDatabase(flavour, { migrateThrough: '022' });
    await db.sql.exec(`INSERT INTO telemetry_load (meter_id, ts, p, multiplier) VALUES
      ('M1', '2025-06-02T10:00:00Z', 1, 1), ('M1', '2025-06-03T10:00:00Z', 2, 1)`);
    expect(await migrate(db.sql)).toContain('023-telemetry-by-day.sql');
    expect(await placement()).toEqual({ telemetry_load_before_days: 2 });

    const store = createPgTelemetryStore(db.sql);
    const result = await store.write([load('M1', '2025-06-03T10:00:00Z', 2), load('M1', '2025-06-03T12:00:00Z', 3), load('M1', '2025-06-04T00:00:00Z', 4)]);
    expect(result).toEqual({ inserted: 2, overwritten: 0, duplicates: 1 });
    expect(await placement()).toEqual({ telemetry_load_before_days: 3, telemetry_load_20250604: 1 });
    expect((await store.series('M1', 'load', at('2025-06-01T00:00:00Z'), at('2025-06-05T00:00:00Z'))).values.p).toEqual([1, 2, 3, 4]);
  });
});
