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
  INGEST_MEMORY_MAX_BYTES: Type.Integer({ default: 64 * 1024 * 1024, minimum: 1024, description: 'whole bytes >= 1024 of unstored messages held in memory; the rest wait in the journal on disk' }),
  INGEST_BATCH_MAX_BYTES: Type.Integer({ default: 1024 * 1024, minimum: 1024, description: 'a whole number >= 1024 of payload bytes per store batch' }),
  QDB_CLIENT_CONF: Type.Optional(Type.String({ pattern: '^https?::addr=', description: 'a QuestDB ILP/HTTP client configuration such as http::addr=localhost:9000;' })),
  QDB_PG_URL: Type.String({ default: 'postgres://admin:quest@localhost:8812/qdb', pattern: '^postgres(ql)?://', description: "a postgres:// URL of QuestDB's PostgreSQL wire port (8812)" }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'a redis:// or rediss:// URL' })),
  REDIS_PREFIX: Type.String({ default: 'loadwatch', pattern: '^[A-Za-z0-9_-]+$', description: 'letters, digits, _ or - (the BullMQ key prefix)' }),
  RULE_QUEUE_SHARDS: Type.Integer({ default: 8, minimum: 1, maximum: 256, description: 'a whole number 1..256 of rule queue shards, the same in every process' }),
  RULE_WORKERS_IN_PROCESS: Bool('false'),
  WORKER_HTTP_PORT: Type.Integer({ default: 8081, minimum: 0, maximum: 65535, description: 'a TCP port, 0 for any free port (npm run worker: /metrics, /healthz, /readyz)' }),
  RULE_THREADS: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'a whole number 1..64 of rule engine threads (PostgreSQL server only)' }),
  NOTIFY_ALLOW_LOOPBACK_HTTP: Bool('false'),
  MQTT_ALLOW_ANONYMOUS: Bool('false'),
  MQTTS_PORT: Type.Optional(Port),
  MQTT_TLS_CERT: Type.Optional(Type.String({ minLength: 1, description: 'a PEM certificate file' })),
  MQTT_TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'a PEM private key file' })),
  MQTT_TLS_CA: Type.Optional(Type.String({ minLength: 1, description: 'a PEM CA file; devices then authenticate by client certificate (CN = device id)' })),
  MQTT_MAX_PACKET_BYTES: Type.Integer({ default: 256 * 1024, minimum: 1024, maximum: 256 * 1024 * 1024, description: 'whole bytes 1024..268435456 of one MQTT packet' }),
  MQTT_MAX_TOPIC_LEVELS: Type.Integer({ default: 16, minimum: 2, maximum: 128, description: 'a whole number 2..128 of topic levels' }),
  MQTT_CONNECT_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, description: 'whole milliseconds >= 100 from TCP connect to CONNECT' }),
  MQTT_KEEPALIVE_MIN_S: Type.Integer({ default: 5, minimum: 1, maximum: 65535, description: 'whole seconds 1..65535' }),
  MQTT_KEEPALIVE_MAX_S: Type.Integer({ default: 3600, minimum: 1, maximum: 65535, description: 'whole seconds 1..65535' }),
  MQTT_DEVICE_MSG_RATE: Type.Integer({ default: 1000, minimum: 1, description: 'a whole number >= 1 of messages per second per device' }),
  MQTT_IP_CONNECT_RATE: Type.Integer({ default: 50, minimum: 1, description: 'a whole number >= 1 of new connections per second per IP address' }),
  MQTT_IP_CONNECT_BURST: Type.Integer({ default: 1000, minimum: 1, description: 'a whole number >= 1 of connections one IP address may open at once' }),
  MQTT_AUTH_FAILURES_MAX: Type.Integer({ default: 10, minimum: 1, description: 'a whole number >= 1 of failed logins per IP address before it is locked out' }),
  MQTT_AUTH_LOCKOUT_S: Type.Integer({ default: 300, minimum: 1, description: 'whole seconds >= 1 an IP address stays locked out' }),
  MQTT_REVALIDATE_S: Type.Integer({ default: 30, minimum: 1, maximum: 60, description: 'whole seconds 1..60 between re-checks of live sessions against revocations' }),
  MQTT_SLOW_SUBSCRIBER_S: Type.Integer({ default: 30, minimum: 1, description: 'whole seconds >= 1 a subscriber may leave messages unread' }),
  HTTP_ALLOWED_ORIGINS: Type.String({ default: '', pattern: '^(https?://[^,\\s/]+(,https?://[^,\\s/]+)*)?$', description: 'comma-separated origins such as https://ops.example.com' }),
  SESSION_TTL_H: Type.Integer({ default: 12, minimum: 1, maximum: 24 * 30, description: 'whole hours 1..720 a dashboard login lasts' }),
  AUTH_FAILURES_MAX: Type.Integer({ default: 10, minimum: 1, description: 'a whole number >= 1 of failed HTTP sign-ins per IP address before it is locked out' }),
  AUTH_LOCKOUT_S: Type.Integer({ default: 300, minimum: 1, description: 'whole seconds >= 1 an IP address may not sign in over HTTP after that' }),
});

function Bool(fallback: 'true' | 'false') {
  return Type.Union([Type.Literal('true'), Type.Literal('false')], { default: fallback, description: 'true or false' });
}

type Env = Static<typeof EnvSchema>;

export interface Config {
  mqtt: {
    host: string;
    port: number;
    portExplicit: boolean;
    /** Like Mosquitto's allow_anonymous: clients without a username may publish device data (development, tests). */
    allowAnonymous: boolean;
    /** Set: an MQTTS listener; with caFile, devices may authenticate by client certificate (CN = device id). */
    tls?: { port: number; certFile: string; keyFile: string; caFile?: string };
    limits: MqttLimits;
  };
  http: {
    host: string;
    port: number;
    portExplicit: boolean;
    /** Origins besides the service's own allowed to open the WebSocket and to send cookie-authenticated writes. */
    allowedOrigins: string[];
    sessionTtlMs: number;
    /** Failed sign-ins (POST /api/session, bad Bearer tokens) from one IP address before it gets 429 for authLockoutMs. */
    authFailuresMax: number;
    authLockoutMs: number;
  };
  dataDir: string;
  database: { url: string | undefined; schema: string };
  /** Set: telemetry goes to QuestDB; archive, alarms and rule state stay in PostgreSQL. */
  questdb?: { clientConf: string; pgUrl: string };
  utilityTz: string;
  logLevel: string;
  /** Set: rules are evaluated by BullMQ workers (`npm run worker`) instead of in the ingesting process. */
  redis?: { url: string; prefix: string };
  ruleQueue: { shards: number; workersInProcess: boolean };
  /** `npm run worker`'s own HTTP port (on HTTP_HOST), for /metrics and its health checks. */
  workerHttpPort: number;
  /** Threads the rule engine runs on beside the ingesting one, each owning a share of the meters (DATABASE_URL only). */
  ruleThreads: number;
  ingest: {
    maxFutureSkewMs: number;
    quarantinePayloadMaxBytes: number;
    journalSegmentBytes: number;
    batchMaxRecords: number;
    /** Payload bytes per batch: a batch of large concentrator messages stays small enough for quick rule passes. */
    batchMaxBytes: number;
    /** Journaled-but-unstored bytes at which PUBACKs stop and new connections are refused. */
    bufferMaxBytes: number;
    /** Unstored bytes held in memory; beyond them the backlog is read back from the journal as the store catches up. */
    memoryMaxBytes: number;
  };
  /** Webhooks may reach loopback addresses (plain http too) only when this is true (tests, a local relay); see docs/security.md. */
  notify: { allowLoopbackHttp: boolean };
}

export interface MqttLimits {
  maxPacketBytes: number;
  maxTopicLevels: number;
  connectTimeoutMs: number;
  keepaliveMinS: number;
  keepaliveMaxS: number;
  deviceMsgPerSec: number;
  ipConnectPerSec: number;
  ipConnectBurst: number;
  authFailuresMax: number;
  authLockoutMs: number;
  revalidateMs: number;
  slowSubscriberMs: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

const WHOLE_NUMBER = /^-?\d+$/;
const DEFAULT_MQTT_PORT = 1883;
const DEFAULT_HTTP_PORT = 8080;
const DEFAULT_MQTTS_PORT = 8883;

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
  if (env.MQTT_KEEPALIVE_MIN_S > env.MQTT_KEEPALIVE_MAX_S) errors.push(`MQTT_KEEPALIVE_MIN_S=${env.MQTT_KEEPALIVE_MIN_S} is invalid: expected at most MQTT_KEEPALIVE_MAX_S (${env.MQTT_KEEPALIVE_MAX_S})`);
  if (Boolean(env.MQTT_TLS_CERT) !== Boolean(env.MQTT_TLS_KEY)) errors.push('MQTT_TLS_CERT and MQTT_TLS_KEY are invalid: expected both set (an MQTTS listener) or neither');
  if (env.MQTT_TLS_CA && !env.MQTT_TLS_CERT) errors.push('MQTT_TLS_CA is invalid: expected MQTT_TLS_CERT and MQTT_TLS_KEY as well (client certificates need the MQTTS listener)');
  if (errors.length > 0) return { ok: false, errors };

  return {
    ok: true,
    config: Object.freeze({
      mqtt: {
        host: env.MQTT_HOST,
        port: env.MQTT_PORT ?? DEFAULT_MQTT_PORT,
        portExplicit: env.MQTT_PORT !== undefined,
        allowAnonymous: env.MQTT_ALLOW_ANONYMOUS === 'true',
        tls: env.MQTT_TLS_CERT && env.MQTT_TLS_KEY
          ? { port: env.MQTTS_PORT ?? DEFAULT_MQTTS_PORT, certFile: env.MQTT_TLS_CERT, keyFile: env.MQTT_TLS_KEY, caFile: env.MQTT_TLS_CA }
          : undefined,
        limits: {
          maxPacketBytes: env.MQTT_MAX_PACKET_BYTES,
          maxTopicLevels: env.MQTT_MAX_TOPIC_LEVELS,
          connectTimeoutMs: env.MQTT_CONNECT_TIMEOUT_MS,
          keepaliveMinS: env.MQTT_KEEPALIVE_MIN_S,
          keepaliveMaxS: env.MQTT_KEEPALIVE_MAX_S,
          deviceMsgPerSec: env.MQTT_DEVICE_MSG_RATE,
          ipConnectPerSec: env.MQTT_IP_CONNECT_RATE,
          ipConnectBurst: env.MQTT_IP_CONNECT_BURST,
          authFailuresMax: env.MQTT_AUTH_FAILURES_MAX,
          authLockoutMs: env.MQTT_AUTH_LOCKOUT_S * 1000,
          revalidateMs: env.MQTT_REVALIDATE_S * 1000,
          slowSubscriberMs: env.MQTT_SLOW_SUBSCRIBER_S * 1000,
        },
      },
      http: {
        host: env.HTTP_HOST,
        port: env.HTTP_PORT ?? DEFAULT_HTTP_PORT,
        portExplicit: env.HTTP_PORT !== undefined,
        allowedOrigins: env.HTTP_ALLOWED_ORIGINS ? env.HTTP_ALLOWED_ORIGINS.split(',') : [],
        sessionTtlMs: env.SESSION_TTL_H * 3_600_000,
        authFailuresMax: env.AUTH_FAILURES_MAX,
        authLockoutMs: env.AUTH_LOCKOUT_S * 1000,
      },
      dataDir: env.DATA_DIR,
      database: { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA },
      questdb: env.QDB_CLIENT_CONF ? { clientConf: env.QDB_CLIENT_CONF, pgUrl: env.QDB_PG_URL } : undefined,
      utilityTz: env.UTILITY_TZ,
      logLevel: env.LOG_LEVEL,
      redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX } : undefined,
      ruleQueue: { shards: env.RULE_QUEUE_SHARDS, workersInProcess: env.RULE_WORKERS_IN_PROCESS === 'true' },
      workerHttpPort: env.WORKER_HTTP_PORT,
      ruleThreads: env.RULE_THREADS,
      ingest: {
        maxFutureSkewMs: env.MAX_FUTURE_SKEW_S * 1000,
        quarantinePayloadMaxBytes: env.QUARANTINE_PAYLOAD_MAX_BYTES,
        journalSegmentBytes: env.JOURNAL_SEGMENT_BYTES,
        batchMaxRecords: env.INGEST_BATCH_MAX_RECORDS,
        batchMaxBytes: env.INGEST_BATCH_MAX_BYTES,
        bufferMaxBytes: env.INGEST_BUFFER_MAX_BYTES,
        memoryMaxBytes: env.INGEST_MEMORY_MAX_BYTES,
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
