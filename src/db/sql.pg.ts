import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { QueryResult, Sql } from './sql.js';

// Timestamps come back as Date (UTC instants) and int8 counts as numbers: row counts here never near 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PgOptions {
  url: string;
  /** Every table lives in this schema (tests use one per run). */
  schema?: string;
  maxConnections?: number;
  onError?: (err: Error) => void;
}

type Queryable = pg.Pool | pg.PoolClient;

function wrap(q: Queryable): Pick<Sql, 'query' | 'exec'> {
  return {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query(text, params as unknown[] | undefined);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(text: string): Promise<void> {
      await q.query(text);
    },
  };
}

export async function openPg(options: PgOptions): Promise<Sql> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    // Lets an operator (or a fault test) find this service's sessions in pg_stat_activity.
    application_name: 'loadwatch',
  });
  // A connection the server drops must not take the process down; the pool replaces it.
  pool.on('error', (err) => options.onError?.(err));
  if (options.schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
  }
  const sql: Sql = {
    flavour: 'postgres',
    ...wrap(pool),
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await checkOut(pool);
      try {
        await client.query('BEGIN');
        const tx: Sql = { ...sql, ...wrap(client), transaction: (inner) => inner(tx) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.done();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
    async copyIn(statement: string, data: Buffer): Promise<void> {
      const client = await checkOut(pool);
      try {
        await pipeline(Readable.from([data]), client.query(copyFrom(statement)));
      } finally {
        client.done();
      }
    },
  };
  return sql;
}

/**
 * A pooled client for a transaction or COPY. The pool listens for errors only on idle clients: a
 * checked-out one whose connection the server drops between two queries (pg_terminate_backend,
 * a network cut) emits 'error' with no listener, which would end the process. Here the error is
 * caught, the next query fails instead, and the broken client is discarded on release.
 *
 * The listener is attached in connect's callback, which the pool calls in the same turn as it removes
 * its own: a new connection is handed over from inside the handler of the server's ReadyForQuery, and
 * when a termination's error message came in the same network read, the client emitted it right
 * after, before an awaited connect() had resumed. That took a rule thread down under the
 * pg_terminate_backend fault test, about once in ten CI runs.
 */
function checkOut(pool: pg.Pool): Promise<pg.PoolClient & { done(): void }> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) return reject(err ?? new Error('the pool gave no client'));
      let broken: Error | undefined;
      const onError = (e: Error) => (broken = e);
      client.on('error', onError);
      resolve(Object.assign(client, {
        done() {
          client.off('error', onError);
          client.release(broken);
        },
      }));
    });
  });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
