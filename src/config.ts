import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The only reader of process.env. Every variable is described here once; a bad value
 * yields one line naming the variable, and all bad values are reported together.
 */
const Port = Type.Integer({ minimum: 0, maximum: 65535, description: 'a TCP port, 0 for any free port' });

const EnvSchema = Type.Object({
  MQTT_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  MQTT_PORT: Type.Optional(Port),
  HTTP_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  HTTP_PORT: Type.Optional(Port),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'a postgres:// URL' })),
  DATABASE_SCHEMA: Type.String({ default: 'public', pattern: '^[a-z_][a-z0-9_]*$', description: 'a lower-case SQL identifier' }),
  UTILITY_TZ: Type.String({ default: 'Asia/Shanghai', minLength: 1 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'one of fatal, error, warn, info, debug, trace, silent' },
  ),
  MAX_FUTURE_SKEW_S: Type.Integer({ default: 300, minimum: 0, description: 'whole seconds >= 0 a sample may be ahead of the clock' }),
  QUARANTINE_PAYLOAD_MAX_BYTES: Type.Integer({ default: 4096, minimum: 64, description: 'whole bytes >= 64 of a payload kept in quarantine' }),
  JOURNAL_SEGMENT_BYTES: Type.Integer({ default: 64 * 1024 * 1024, minimum: 1024, description: 'whole bytes >= 1024 per journal segment file' }),
  INGEST_BATCH_MAX_RECORDS: Type.Integer({ default: 2000, minimum: 1, description: 'a whole number >= 1 of journal records per store batch' }),
  INGEST_BUFFER_MAX_BYTES: Type.Integer({ default: 1024 * 1024 * 1024, minimum: 1024, description: 'whole bytes >= 1024 of journaled-but-unstored messages before devices are pushed back' }),
  INGEST_BATCH_MAX_BYTES: Type.Integer({ default: 1024 * 1024, minimum: 1024, description: 'a whole number >= 1024 of payload bytes per store batch' }),
  QDB_CLIENT_CONF: Type.Optional(Type.String({ pattern: '^https?::addr=', description: 'a QuestDB ILP/HTTP client configuration such as http::addr=localhost:9000;' })),
  QDB_PG_URL: Type.String({ default: 'postgres://admin:quest@localhost:8812/qdb', pattern: '^postgres(ql)?://', description: "a postgres:// URL of QuestDB's PostgreSQL wire port (8812)" }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'a redis:// or rediss:// URL' })),
  REDIS_PREFIX: Type.String({ default: 'loadwatch', pattern: '^[A-Za-z0-9_-]+$', description: 'letters, digits, _ or - (the BullMQ key prefix)' }),
  RULE_QUEUE_SHARDS: Type.Integer({ default: 8, minimum: 1, maximum: 256, description: 'a whole number 1..256 of rule queue shards, the same in every process' }),
  RULE_WORKERS_IN_PROCESS: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false', description: 'true or false' }),
  NOTIFY_ALLOW_LOOPBACK_HTTP: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false', description: 'true or false' }),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  mqtt: { host: string; port: number; portExplicit: boolean };
  http: { host: string; port: number; portExplicit: boolean };
  dataDir: string;
  database: { url: string | undefined; schema: string };
  /** Set: telemetry goes to QuestDB; archive, alarms and rule state stay in PostgreSQL. */
  questdb?: { clientConf: string; pgUrl: string };
  utilityTz: string;
  logLevel: string;
  /** Set: rules are evaluated by BullMQ workers (`npm run worker`) instead of in the ingesting process. */
  redis?: { url: string; prefix: string };
  ruleQueue: { shards: number; workersInProcess: boolean };
  ingest: {
    maxFutureSkewMs: number;
    quarantinePayloadMaxBytes: number;
    journalSegmentBytes: number;
    batchMaxRecords: number;
    /** Payload bytes per batch: a batch of large concentrator messages stays small enough for quick rule passes. */
    batchMaxBytes: number;
    /** Journaled-but-unstored bytes at which PUBACKs stop and new connections are refused. */
    bufferMaxBytes: number;
  };
  /** Webhook subscriptions: plain http is accepted only to loopback and only when this is true (tests, a local relay). */
  notify: { allowLoopbackHttp: boolean };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

const WHOLE_NUMBER = /^-?\d+$/;
const DEFAULT_MQTT_PORT = 1883;
const DEFAULT_HTTP_PORT = 8080;

export function loadConfig(source: Record<string, string | undefined> = process.env): ConfigResult {
  const known = Object.keys(EnvSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = isInteger(key) && WHOLE_NUMBER.test(value) ? Number(value) : value;
  }
  // No Value.Convert: it reads "1.5" as 1 and "0x10" as 16; a value that is not plainly a whole number stays a string and fails.
  const env = Value.Default(EnvSchema, raw) as Env;
  const errors = [...Value.Errors(EnvSchema, env)].map((e) => {
    const key = e.path.replace(/^\//, '');
    const expected = (EnvSchema.properties as Record<string, { description?: string }>)[key]?.description ?? e.message;
    return `${key}=${JSON.stringify(source[key] ?? '')} is invalid: expected ${expected}`;
  });
  if (!isTimeZone(env.UTILITY_TZ)) errors.push(`UTILITY_TZ=${JSON.stringify(env.UTILITY_TZ)} is invalid: expected an IANA time zone such as Asia/Shanghai`);
  if (errors.length > 0) return { ok: false, errors };

  return {
    ok: true,
    config: Object.freeze({
      mqtt: { host: env.MQTT_HOST, port: env.MQTT_PORT ?? DEFAULT_MQTT_PORT, portExplicit: env.MQTT_PORT !== undefined },
      http: { host: env.HTTP_HOST, port: env.HTTP_PORT ?? DEFAULT_HTTP_PORT, portExplicit: env.HTTP_PORT !== undefined },
      dataDir: env.DATA_DIR,
      database: { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA },
      questdb: env.QDB_CLIENT_CONF ? { clientConf: env.QDB_CLIENT_CONF, pgUrl: env.QDB_PG_URL } : undefined,
      utilityTz: env.UTILITY_TZ,
      logLevel: env.LOG_LEVEL,
      redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX } : undefined,
      ruleQueue: { shards: env.RULE_QUEUE_SHARDS, workersInProcess: env.RULE_WORKERS_IN_PROCESS === 'true' },
      ingest: {
        maxFutureSkewMs: env.MAX_FUTURE_SKEW_S * 1000,
        quarantinePayloadMaxBytes: env.QUARANTINE_PAYLOAD_MAX_BYTES,
        journalSegmentBytes: env.JOURNAL_SEGMENT_BYTES,
        batchMaxRecords: env.INGEST_BATCH_MAX_RECORDS,
        batchMaxBytes: env.INGEST_BATCH_MAX_BYTES,
        bufferMaxBytes: env.INGEST_BUFFER_MAX_BYTES,
      },
      notify: { allowLoopbackHttp: env.NOTIFY_ALLOW_LOOPBACK_HTTP === 'true' },
    }),
  };
}

function isInteger(key: string): boolean {
  return (EnvSchema.properties as Record<string, { type?: string }>)[key].type === 'integer';
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
