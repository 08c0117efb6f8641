import pg from 'pg';
import { describe, it } from 'vitest';
import { KINDS } from '../domain/sample.js';
import { createLogger } from '../log.js';
import { questDbTableOf } from './ilp-rows.js';
import { telemetryStoreContract } from './telemetry.contract.js';
import { openQuestDbTelemetryStore } from './telemetry.questdb.js';

// Runs the shared contract against a real QuestDB 9 when one is configured. It TRUNCATEs the
// telemetry_* tables before each test: point it at a throwaway QuestDB, never at production.
const clientConf = process.env.QDB_CLIENT_CONF;
const pgUrl = process.env.QDB_PG_URL || 'postgres://admin:quest@localhost:8812/qdb';
const WAL_APPLY_WAIT_MS = 10_000;

if (!clientConf) {
  // QuestDB cannot run on the CI machine. The reason is in the skipped test's name, which .ci/run prints.
  const reason = 'QDB_CLIENT_CONF is not set, so no QuestDB server is configured (e.g. QDB_CLIENT_CONF="http::addr=localhost:9000;" QDB_PG_URL=postgres://admin:quest@localhost:8812/qdb)';
  console.log(`QuestDB contract skipped: ${reason}`);
  describe('TelemetryStore contract: questdb', () => it(`skipped: ${reason}`, (ctx) => ctx.skip(reason)));
} else {
  telemetryStoreContract(
    'questdb',
    async () => {
      const admin = new pg.Pool({ connectionString: pgUrl, max: 1 });
      const store = await openQuestDbTelemetryStore({ clientConf, pgUrl, timeZone: 'Asia/Shanghai', tagsOf: () => ({ customerId: 'C1', customerClass: 'KEY' }), log: createLogger('silent') });
      for (const kind of KINDS) await admin.query(`TRUNCATE TABLE ${questDbTableOf(kind)}`);
      const write = store.write.bind(store);
      return {
        // A 204 means committed to the WAL; readers see rows once the WAL is applied (milliseconds), so the contract waits for it.
        store: { ...store, write: async (samples) => {
          const result = await write(samples);
          await waitForWalApplied(admin);
          return result;
        } },
        async close() {
          await store.close();
          await admin.end();
        },
      };
    },
    { classifiesWrites: false },
  );
}

/** wal_tables(): writerTxn catches up with sequencerTxn once every committed transaction is applied. */
async function waitForWalApplied(admin: pg.Pool): Promise<void> {
  const tables = KINDS.map(questDbTableOf);
  const deadline = Date.now() + WAL_APPLY_WAIT_MS;
  for (;;) {
    const res = await admin.query<{ name: string; suspended: boolean; writerTxn: string; sequencerTxn: string }>('SELECT name, suspended, writerTxn, sequencerTxn FROM wal_tables()');
    const ours = res.rows.filter((r) => tables.includes(r.name));
    const suspended = ours.find((r) => r.suspended);
    if (suspended) throw new Error(`QuestDB suspended WAL apply for ${suspended.name}`);
    if (ours.every((r) => Number(r.writerTxn) >= Number(r.sequencerTxn))) return;
    if (Date.now() > deadline) throw new Error(`QuestDB did not apply the WAL within ${WAL_APPLY_WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
