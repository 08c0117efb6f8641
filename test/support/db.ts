import { randomBytes } from 'node:crypto';
import { migrate } from '../../src/db/migrate.js';
import type { Sql } from '../../src/db/sql.js';
import { openPg, quoteIdent } from '../../src/db/sql.pg.js';
import { openPglite } from '../../src/db/sql.pglite.js';

/** The machine's PostgreSQL (trust auth); override with TEST_DATABASE_URL. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  sql: Sql;
  /** The schema on the server, or undefined on PGlite. */
  schema?: string;
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * A migrated database of one flavour: in-memory PGlite, or a fresh schema on the real server. `migrateThrough`
 * stops at that migration, as an older release left a database.
 */
export async function openTestDatabase(flavour: 'pglite' | 'postgres', opts: { migrateThrough?: string } = {}): Promise<TestDatabase> {
  if (flavour === 'pglite') {
    const sql = await openPglite();
    await migrate(sql, { through: opts.migrateThrough });
    return { sql, drop: () => sql.close() };
  }
  const schema = uniqueName('lw_test');
  const sql = await openPg({ url: TEST_DATABASE_URL, schema, maxConnections: 4 });
  await migrate(sql, { through: opts.migrateThrough });
  return {
    sql,
    schema,
    async drop() {
      await sql.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await sql.close();
    },
  };
}

/** Makes the telemetry tables' partitions of these UTC days (inclusive), for tests that insert rows in SQL. */
export async function ensureTelemetryDays(sql: Sql, firstDay: string, lastDay: string): Promise<void> {
  await sql.query(`SELECT telemetry_ensure_days(k, $1::date, $2::date) FROM unnest(ARRAY['voltage', 'current', 'load', 'reading']) AS k`, [firstDay, lastDay]);
}

/** Both flavours, for `describe.each(DB_FLAVOURS)`: every store test runs on PGlite and on the server. */
export const DB_FLAVOURS = ['pglite', 'postgres'] as const;

/** Runs fn in a transaction held open until the returned function is called; resolves once fn has run. */
export async function holding(sql: Sql, fn: (tx: Sql) => Promise<unknown>): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let ready!: () => void;
  const taken = new Promise<void>((r) => (ready = r));
  const tx = sql.transaction(async (t) => {
    await fn(t);
    ready();
    await held;
  });
  await taken;
  return async () => {
    release();
    await tx;
  };
}
