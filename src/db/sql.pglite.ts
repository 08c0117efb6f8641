import { PGlite, type Transaction } from '@electric-sql/pglite';
import { isInitialised, readTemplate } from './pglite-template.js';
import type { QueryResult, Sql } from './sql.js';

export interface PgliteOptions {
  /** A directory to persist into; undefined keeps everything in memory (tests). */
  dataDir?: string;
}

type Queryable = PGlite | Transaction;

function wrap(q: Queryable): Pick<Sql, 'query' | 'exec'> {
  return {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query<R>(text, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(text: string): Promise<void> {
      await q.exec(text);
    },
  };
}

export async function openPglite(options: PgliteOptions = {}): Promise<Sql> {
  const template = !options.dataDir || !isInitialised(options.dataDir) ? await readTemplate() : undefined;
  const db = await PGlite.create(options.dataDir, template ? { loadDataDir: template } : {});
  const sql: Sql = {
    flavour: 'pglite',
    ...wrap(db),
    transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return db.transaction(async (t) => {
        const tx: Sql = { ...sql, ...wrap(t), transaction: (inner) => inner(tx) };
        return fn(tx);
      });
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
  return sql;
}
