/**
 * The one SQL port every PostgreSQL-backed store uses. Two adapters implement it:
 * a pg pool (a PostgreSQL server) and PGlite (embedded, the default), so every
 * store, migration and query is written once.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs fn on one connection inside BEGIN/COMMIT; rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Streams rows into `COPY ... FROM STDIN`, in the format the statement names (the PostgreSQL server
   * only: the fastest bulk path). Absent where the driver cannot, and callers fall back to INSERT.
   */
  copyIn?(statement: string, data: Buffer): Promise<void>;
  /** 'pglite' or 'postgres': for the few places that must differ (none in SQL text). */
  readonly flavour: 'pglite' | 'postgres';
}
