import { createAlarmStorePg } from './alarms/store.pg.js';
import type { AlarmStore } from './alarms/store.js';
import { PgArchiveStore } from './archive/archive.pg.js';
import type { Config } from './config.js';
import { migrate } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Sql } from './db/sql.js';
import type { MeterContext } from './domain/archive.js';
import { createPgQuarantineStore } from './ingest/quarantine.pg.js';
import type { QuarantineStore } from './ingest/quarantine.js';
import type { Logger } from './log.js';
import { createCollectionChecker, type CollectionChecker } from './rules/collection/check.js';
import { createRuleEngine, type RuleEngine } from './rules/engine.js';
import { createThreadedRuleEngine } from './rules/engine-thread.js';
import { shardedRuleEngine } from './rules/engine-shards.js';
import { StartupError } from './startup-error.js';
import { meterTagsOf } from './telemetry/ilp-rows.js';
import type { TelemetryStore } from './telemetry/store.js';
import { createPgTelemetryStore } from './telemetry/telemetry.pg.js';
import { openQuestDbTelemetryStore } from './telemetry/telemetry.questdb.js';

/** Every store of the service, open and migrated. Part of the composition root (main.ts). */
export interface Stores {
  sql: Sql;
  archive: PgArchiveStore;
  alarms: AlarmStore;
  rules: RuleEngine;
  /** C1/C2 on the telemetry tables of PostgreSQL; undefined when QuestDB holds the telemetry (they would all look missing). */
  collection: CollectionChecker | undefined;
  telemetry: TelemetryStore;
  quarantine: QuarantineStore;
  /** Set when QuestDB holds the telemetry. */
  questdb: boolean;
  close(): Promise<void>;
}

/** PostgreSQL (server or embedded) for the archive, alarms and rule state; QuestDB for telemetry when configured. */
export async function openStores(
  config: Config,
  meterOf: (meterId: string) => MeterContext | undefined,
  log: Logger,
  onRuleThreadCrash: (err: Error) => void,
): Promise<Stores> {
  const sql = await openSql(config, log);
  let rules: RuleEngine | undefined;
  try {
    await migrate(sql);
    rules = config.database.url
      ? await openRuleThreads(config, config.database.url, log, onRuleThreadCrash)
      : await createRuleEngine({ sql, log: log.child({ step: 'rules' }), utilityTz: config.utilityTz });
    const questdb = config.questdb ? await openQuestDb(config, meterOf, log) : undefined;
    const collection = questdb ? undefined : await createCollectionChecker({ sql, log: log.child({ step: 'collection' }), utilityTz: config.utilityTz });
    if (questdb) log.warn('collection checks (C1, C2) are off: they read telemetry from PostgreSQL, and QuestDB holds it');
    const engine = rules;
    return {
      sql,
      archive: new PgArchiveStore(sql),
      alarms: createAlarmStorePg(sql),
      rules: engine,
      collection,
      telemetry: questdb ?? createPgTelemetryStore(sql),
      quarantine: createPgQuarantineStore(sql),
      questdb: questdb !== undefined,
      async close() {
        await engine.close();
        await questdb?.close();
        await sql.close();
      },
    };
  } catch (err) {
    await rules?.close().catch(() => undefined);
    await sql.close().catch(() => undefined);
    throw err;
  }
}

async function openRuleThreads(config: Config, url: string, log: Logger, onCrash: (err: Error) => void): Promise<RuleEngine> {
  const data = { url, schema: config.database.schema, utilityTz: config.utilityTz, logLevel: config.logLevel, log, onCrash };
  const started = await Promise.allSettled(Array.from({ length: config.ruleThreads }, () => createThreadedRuleEngine(data)));
  const engines = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(engines.map((e) => e.close()));
    throw failed.reason;
  }
  return shardedRuleEngine(engines);
}

async function openSql(config: Config, log: Logger): Promise<Sql> {
  try {
    const sql = await openDatabase(config, (err) => log.warn({ err }, 'a database connection failed; the pool replaces it'));
    await sql.query('SELECT 1');
    return sql;
  } catch (err) {
    if (!config.database.url) throw err;
    throw new StartupError('DATABASE_URL', `cannot connect to the PostgreSQL server: ${(err as Error).message}`);
  }
}

async function openQuestDb(config: Config, meterOf: (meterId: string) => MeterContext | undefined, log: Logger) {
  const qdb = config.questdb!;
  try {
    return await openQuestDbTelemetryStore({ ...qdb, timeZone: config.utilityTz, tagsOf: (meterId) => meterTagsOf(meterOf(meterId)), log: log.child({ step: 'questdb' }) });
  } catch (err) {
    throw new StartupError('QDB_CLIENT_CONF', `cannot open QuestDB (its configuration may hold a password, so it is not printed): ${(err as Error).message}`);
  }
}
