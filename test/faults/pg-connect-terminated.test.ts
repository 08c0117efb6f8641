import { afterEach, describe, expect, it } from 'vitest';
import { openPg } from '../../src/db/sql.pg.js';
import { TEST_DATABASE_URL } from '../support/db.js';
import { sleep } from './support.js';
import { startTcpProxy } from './tcp-proxy.js';

/**
 * A session terminated by the server just as it finished connecting: its ReadyForQuery and the termination's
 * error message reach the client in one read (the proxy holds the server's replies, then forwards them in one
 * write). The pool hands the new client over from inside the ReadyForQuery handler and the client emits the
 * error right after; a transaction must fail with it, not leave it unheard (an uncaught 'error' ends the
 * process, or a rule thread, and vitest fails the run on it).
 */
describe('a connection terminated as it is handed over', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('fails the transaction that asked for it, with the server\'s reason, and the pool goes on', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    cleanups.push(() => proxy.close());
    const admin = await openPg({ url: TEST_DATABASE_URL, maxConnections: 1 });
    cleanups.push(() => admin.close());
    const url = TEST_DATABASE_URL.replace(/127\.0\.0\.1:5432|localhost:5432/, `127.0.0.1:${proxy.port}`);
    const sql = await openPg({ url, maxConnections: 1 });
    cleanups.push(() => sql.close());

    proxy.holdReplies();
    const tx = sql.transaction((q) => q.query('SELECT 1'));
    tx.catch(() => undefined);
    // The session is ready (its ReadyForQuery is sent, and held) once the server lists it idle.
    let pid: number | undefined;
    for (let i = 0; i < 250 && pid === undefined; i++) {
      const ports = proxy.outboundPorts();
      const res = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND state = 'idle'`, [ports]);
      pid = res.rows[0]?.pid;
      if (pid === undefined) await sleep(20);
    }
    expect(pid, 'the proxied session is ready').toBeDefined();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    for (let i = 0; i < 250; i++) {
      if ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length === 0) break;
      await sleep(20);
    }
    proxy.releaseReplies();

    await expect(tx).rejects.toThrow(/terminating connection due to administrator command|Connection terminated|connection error and is not queryable/);
    // The broken client was discarded: the next transaction gets a new connection and works.
    expect((await sql.transaction((q) => q.query<{ one: number }>('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
  });
});
