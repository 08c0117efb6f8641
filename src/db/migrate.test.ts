import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { migrate } from './migrate.js';

describe.each(DB_FLAVOURS)('migrate on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('creates every table once and is a no-op the second time', async () => {
    db = await openTestDatabase(flavour);
    expect(await migrate(db.sql)).toEqual([]);
    const tables = await db.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['customers', 'meters', 'concentrators', 'telemetry_load', 'quarantine']),
    );
  });
});
