/**
 * What writing every meter's rule state costs PostgreSQL, by how the state column is stored: N fleet meters
 * evaluated for 40 steps (as evaluate-pass.ts), their snapshots written by saveStates 50 per transaction as the
 * engine's flush does, four times over, into rule_state of a freshly migrated scratch schema.
 * `node --import tsx bench/state-write.ts [external|pglz|lz4 ...]` prints the time, WAL and table size of each
 * full write (external: migration 021's storage; lz4 or pglz with fillfactor 50: 022's).
 */
import type { AnySample } from '../src/domain/sample.js';
import { migrate } from '../src/db/migrate.js';
import { openPg } from '../src/db/sql.pg.js';
import { evaluate, type MeterRuleState } from '../src/rules/evaluate.js';
import { DEFAULT_SETTINGS } from '../src/rules/settings.js';
import { snapshotState } from '../src/rules/state-codec.js';
import { saveStates } from '../src/rules/state.pg.js';
import { fleetContexts, stepSamples } from './rules-fleet.js';

const METERS = 10_000;
const SLICE = 50;
const STORAGE: Record<string, string> = {
  external: 'ALTER TABLE rule_state ALTER COLUMN state SET STORAGE EXTERNAL; ALTER TABLE rule_state SET (fillfactor = 100)',
  pglz: 'ALTER TABLE rule_state ALTER COLUMN state SET COMPRESSION pglz',
  lz4: 'ALTER TABLE rule_state ALTER COLUMN state SET COMPRESSION lz4',
};

const contexts = [...fleetContexts(METERS).values()];
const states = new Map<string, MeterRuleState>();
for (let step = 0; step < 40; step++) {
  const byMeter = new Map<string, AnySample[]>();
  for (const s of stepSamples(METERS, step, 100)) byMeter.set(s.meterId, [...(byMeter.get(s.meterId) ?? []), s]);
  for (const ctx of contexts) states.set(ctx.meter.id, evaluate(ctx, byMeter.get(ctx.meter.id) ?? [], DEFAULT_SETTINGS, states.get(ctx.meter.id) ?? {}).state);
}
const snapshots = [...states].map(([meterId, s]) => ({ meterId, json: snapshotState(s) }));
console.log(`${METERS} snapshots, ${(snapshots.reduce((n, r) => n + r.json.length, 0) / 1e6).toFixed(1)} MB of JSON`);

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
for (const mode of process.argv.slice(2)) {
  if (!STORAGE[mode]) throw new Error(`unknown storage ${mode}; one of ${Object.keys(STORAGE).join(', ')}`);
  const schema = `bench_state_write_${process.pid}`;
  const sql = await openPg({ url, schema, maxConnections: 1 });
  try {
    await migrate(sql);
    await sql.exec(STORAGE[mode]);
    for (let version = 1; version <= 4; version++) {
      const walBefore = (await sql.query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
      const t0 = performance.now();
      for (let i = 0; i < snapshots.length; i += SLICE) {
        await sql.transaction((tx) => saveStates(tx, snapshots.slice(i, i + SLICE).map((s) => ({ ...s, version }))));
      }
      const ms = performance.now() - t0;
      const { wal, size } = (await sql.query<{ wal: string; size: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS wal, pg_total_relation_size('rule_state') AS size`, [walBefore])).rows[0];
      console.log(`${mode} write ${version}: ${ms.toFixed(0)} ms, WAL ${(Number(wal) / 1e6).toFixed(1)} MB, table ${(Number(size) / 1e6).toFixed(1)} MB`);
    }
  } finally {
    await sql.exec(`DROP SCHEMA ${schema} CASCADE`);
    await sql.close();
  }
}
