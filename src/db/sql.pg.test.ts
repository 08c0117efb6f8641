import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.js';

describe('the pg adapter', () => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('runs a statement given prepareAs as a prepared statement of that name, reused with new parameters', async () => {
    db = await openTestDatabase('postgres');
    const text = 'SELECT $1::int + 1 AS n';
    const prepared = await db.sql.transaction(async (tx) => {
      const results = [];
      for (const n of [1, 41]) results.push((await tx.query<{ n: number }>(text, [n], { prepareAs: 'plus_one' })).rows[0].n);
      await tx.query('SELECT $1::int AS unnamed', [7]);
      const statements = await tx.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY name');
      return { results, statements: statements.rows };
    });
    expect(prepared).toEqual({ results: [2, 42], statements: [{ name: 'plus_one', statement: text }] });
  });
});
