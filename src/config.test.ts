import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from './config.js';

function configOf(env: Record<string, string | undefined>): Config {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`expected a config, got errors:\n${result.errors.join('\n')}`);
  return result.config;
}

function errorsOf(env: Record<string, string | undefined>): string[] {
  const result = loadConfig(env);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.config)}`);
  return result.errors;
}

const DEFAULTS: Config = {
  mqtt: {
    host: '0.0.0.0',
    port: 1883,
    portExplicit: false,
    allowAnonymous: false,
    tls: undefined,
    limits: {
      maxPacketBytes: 262_144,
      maxTopicLevels: 16,
      connectTimeoutMs: 10_000,
      keepaliveMinS: 5,
      keepaliveMaxS: 3600,
      deviceMsgPerSec: 1000,
      ipConnectPerSec: 50,
      ipConnectBurst: 1000,
      authFailuresMax: 10,
      authLockoutMs: 300_000,
      revalidateMs: 30_000,
      slowSubscriberMs: 30_000,
    },
  },
  http: { host: '0.0.0.0', port: 8080, portExplicit: false, allowedOrigins: [], sessionTtlMs: 12 * 3_600_000, authFailuresMax: 10, authLockoutMs: 300_000 },
  dataDir: './data',
  database: { url: undefined, schema: 'public' },
  utilityTz: 'Asia/Shanghai',
  logLevel: 'info',
  ruleQueue: { shards: 8, workersInProcess: false },
  workerHttpPort: 8081,
  ruleThreads: 2,
  ingest: { maxFutureSkewMs: 300_000, quarantinePayloadMaxBytes: 4096, journalSegmentBytes: 64 * 1024 * 1024, batchMaxRecords: 2000, batchMaxBytes: 1024 * 1024, bufferMaxBytes: 1024 * 1024 * 1024, memoryMaxBytes: 64 * 1024 * 1024 },
  notify: { allowLoopbackHttp: false },
};

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment, frozen', () => {
    const config = configOf({});
    expect(config).toEqual(DEFAULTS);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('NOTIFY_ALLOW_LOOPBACK_HTTP=%s allows plain http webhooks to loopback: %s', (value, expected) => {
    expect(configOf({ NOTIFY_ALLOW_LOOPBACK_HTTP: value }).notify.allowLoopbackHttp).toBe(expected);
  });

  it('refuses a NOTIFY_ALLOW_LOOPBACK_HTTP that is not true or false', () => {
    expect(errorsOf({ NOTIFY_ALLOW_LOOPBACK_HTTP: 'yes' })).toEqual(['NOTIFY_ALLOW_LOOPBACK_HTTP="yes" is invalid: expected true or false']);
  });

  it('runs rules on BullMQ with REDIS_URL set (prefix loadwatch unless REDIS_PREFIX is set)', () => {
    expect(configOf({ REDIS_URL: 'redis://10.0.0.5:6379', RULE_QUEUE_SHARDS: '4', RULE_WORKERS_IN_PROCESS: 'true' })).toMatchObject({
      redis: { url: 'redis://10.0.0.5:6379', prefix: 'loadwatch' },
      ruleQueue: { shards: 4, workersInProcess: true },
    });
  });

  it.each([
    ['REDIS_URL', 'http://10.0.0.5', 'expected a redis:// or rediss:// URL'],
    ['RULE_QUEUE_SHARDS', '0', 'expected a whole number 1..256 of rule queue shards, the same in every process'],
    ['REDIS_PREFIX', 'a:b', 'expected letters, digits, _ or - (the BullMQ key prefix)'],
    ['RULE_THREADS', '0', 'expected a whole number 1..64 of rule engine threads (PostgreSQL server only)'],
    ['AUTH_FAILURES_MAX', '0', 'expected a whole number >= 1 of failed HTTP sign-ins per IP address before it is locked out'],
  ])('refuses %s=%s', (key, value, expected) => {
    expect(errorsOf({ [key]: value })).toEqual([`${key}=${JSON.stringify(value)} is invalid: ${expected}`]);
  });

  it('opens an MQTTS listener on 8883 when certificate and key are given, with client certificates when a CA is given', () => {
    expect(configOf({ MQTT_TLS_CERT: '/etc/lw/cert.pem', MQTT_TLS_KEY: '/etc/lw/key.pem', MQTT_TLS_CA: '/etc/lw/ca.pem' }).mqtt.tls).toEqual({
      port: 8883,
      certFile: '/etc/lw/cert.pem',
      keyFile: '/etc/lw/key.pem',
      caFile: '/etc/lw/ca.pem',
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ MQTT_TLS_CERT: '/c.pem' }, 'MQTT_TLS_CERT and MQTT_TLS_KEY are invalid: expected both set (an MQTTS listener) or neither'],
    [{ MQTT_TLS_CA: '/ca.pem' }, 'MQTT_TLS_CA is invalid: expected MQTT_TLS_CERT and MQTT_TLS_KEY as well (client certificates need the MQTTS listener)'],
    [{ MQTT_KEEPALIVE_MIN_S: '100', MQTT_KEEPALIVE_MAX_S: '60' }, 'MQTT_KEEPALIVE_MIN_S=100 is invalid: expected at most MQTT_KEEPALIVE_MAX_S (60)'],
    [{ HTTP_ALLOWED_ORIGINS: 'ops.example.com' }, 'HTTP_ALLOWED_ORIGINS="ops.example.com" is invalid: expected comma-separated origins such as https://ops.example.com'],
    [{ MQTT_REVALIDATE_S: '120' }, 'MQTT_REVALIDATE_S="120" is invalid: expected whole seconds 1..60 between re-checks of live sessions against revocations'],
  ])('refuses %j', (env, expected) => {
    expect(errorsOf(env)).toEqual([expected]);
  });

  it('ignores variables it does not know', () => {
    expect(configOf({ PATH: '/usr/bin', HOME: '/root' })).toEqual(DEFAULTS);
  });

  it.each<[string, string, (c: Config) => unknown, unknown]>([
    ['MQTT_HOST', '127.0.0.1', (c) => c.mqtt.host, '127.0.0.1'],
    ['MQTT_PORT', '1884', (c) => c.mqtt, { ...DEFAULTS.mqtt, port: 1884, portExplicit: true }],
    ['MQTT_PORT', '0', (c) => c.mqtt, { ...DEFAULTS.mqtt, port: 0, portExplicit: true }],
    ['MQTT_PORT', '1883', (c) => c.mqtt.portExplicit, true],
    ['HTTP_HOST', '::1', (c) => c.http.host, '::1'],
    ['HTTP_PORT', '65535', (c) => c.http, { ...DEFAULTS.http, port: 65535, portExplicit: true }],
    ['MQTT_ALLOW_ANONYMOUS', 'true', (c) => c.mqtt.allowAnonymous, true],
    ['MQTT_MAX_PACKET_BYTES', '1024', (c) => c.mqtt.limits.maxPacketBytes, 1024],
    ['MQTT_AUTH_LOCKOUT_S', '60', (c) => c.mqtt.limits.authLockoutMs, 60_000],
    ['MQTT_REVALIDATE_S', '5', (c) => c.mqtt.limits.revalidateMs, 5_000],
    ['HTTP_ALLOWED_ORIGINS', 'https://ops.example.com,http://10.1.2.3:8080', (c) => c.http.allowedOrigins, ['https://ops.example.com', 'http://10.1.2.3:8080']],
    ['SESSION_TTL_H', '1', (c) => c.http.sessionTtlMs, 3_600_000],
    ['AUTH_FAILURES_MAX', '3', (c) => c.http.authFailuresMax, 3],
    ['AUTH_LOCKOUT_S', '60', (c) => c.http.authLockoutMs, 60_000],
    ['DATA_DIR', '/var/lib/loadwatch', (c) => c.dataDir, '/var/lib/loadwatch'],
    ['DATABASE_URL', 'postgres://u@db:5432/lw', (c) => c.database.url, 'postgres://u@db:5432/lw'],
    ['DATABASE_URL', 'postgresql://u@db/lw', (c) => c.database.url, 'postgresql://u@db/lw'],
    ['DATABASE_SCHEMA', 'lw_prod2', (c) => c.database.schema, 'lw_prod2'],
    ['UTILITY_TZ', 'Europe/Berlin', (c) => c.utilityTz, 'Europe/Berlin'],
    ['UTILITY_TZ', 'UTC', (c) => c.utilityTz, 'UTC'],
    ['LOG_LEVEL', 'debug', (c) => c.logLevel, 'debug'],
    ['LOG_LEVEL', 'silent', (c) => c.logLevel, 'silent'],
    ['MAX_FUTURE_SKEW_S', '0', (c) => c.ingest.maxFutureSkewMs, 0],
    ['MAX_FUTURE_SKEW_S', '60', (c) => c.ingest.maxFutureSkewMs, 60_000],
    ['QUARANTINE_PAYLOAD_MAX_BYTES', '64', (c) => c.ingest.quarantinePayloadMaxBytes, 64],
    ['JOURNAL_SEGMENT_BYTES', '1048576', (c) => c.ingest.journalSegmentBytes, 1_048_576],
    ['INGEST_BATCH_MAX_RECORDS', '1', (c) => c.ingest.batchMaxRecords, 1],
    ['INGEST_BATCH_MAX_BYTES', '65536', (c) => c.ingest.batchMaxBytes, 65536],
  ])('%s=%s is used', (key, value, pick, expected) => {
    const config = configOf({ [key]: value });
    expect(pick(config)).toEqual(expected);
  });

  it.each([
    ['MQTT_PORT', 'abc'],
    ['MQTT_PORT', '-1'],
    ['MQTT_PORT', '1.5'],
    ['MQTT_PORT', '0x10'],
    ['MQTT_PORT', '1e3'],
    ['HTTP_PORT', '70000'],
    ['HTTP_PORT', '65536'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', '127.0.0.1:5432'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'INFO'],
    ['UTILITY_TZ', 'Mars/Base'],
    ['UTILITY_TZ', '+08:00 Beijing'],
    ['MAX_FUTURE_SKEW_S', '-1'],
    ['MAX_FUTURE_SKEW_S', '5m'],
    ['DATABASE_SCHEMA', 'Bad-Name'],
    ['DATABASE_SCHEMA', '1st'],
    ['QUARANTINE_PAYLOAD_MAX_BYTES', '10'],
    ['JOURNAL_SEGMENT_BYTES', '1023'],
    ['INGEST_BATCH_MAX_RECORDS', '0'],
    ['INGEST_BATCH_MAX_BYTES', '100'],
  ])('%s=%s gives exactly one line naming the variable', (key, value) => {
    const errors = errorsOf({ [key]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${key}=`));
    expect(errors[0]).toContain(JSON.stringify(value));
    expect(errors[0]).not.toContain('\n');
    // One "expected", in the operator's words: not TypeBox's "Expected ..." appended to ours.
    expect(errors[0].match(/expected/gi)).toHaveLength(1);
  });

  it('reports every bad value at once, in the order of the variables', () => {
    const errors = errorsOf({
      MQTT_PORT: 'abc',
      HTTP_PORT: '70000',
      DATABASE_URL: 'mysql://x',
      DATABASE_SCHEMA: 'Bad-Name',
      UTILITY_TZ: 'Mars/Base',
      LOG_LEVEL: 'loud',
      MAX_FUTURE_SKEW_S: '-1',
      DATA_DIR: '/tmp/fine',
    });
    expect(errors.map((line) => line.split('=')[0])).toEqual([
      'MQTT_PORT',
      'HTTP_PORT',
      'DATABASE_URL',
      'DATABASE_SCHEMA',
      'LOG_LEVEL',
      'MAX_FUTURE_SKEW_S',
      'UTILITY_TZ',
    ]);
  });

  it.each(['MQTT_HOST', 'MQTT_PORT', 'HTTP_HOST', 'HTTP_PORT', 'DATA_DIR', 'DATABASE_URL', 'DATABASE_SCHEMA', 'UTILITY_TZ', 'LOG_LEVEL', 'MAX_FUTURE_SKEW_S'])(
    '%s="" counts as unset',
    (key) => {
      expect(configOf({ [key]: '' })).toEqual(DEFAULTS);
    },
  );

  it('an empty port is unset: it is not explicit and may fall back', () => {
    expect(configOf({ MQTT_PORT: '', HTTP_PORT: '' })).toMatchObject({ mqtt: { portExplicit: false }, http: { portExplicit: false } });
  });
});
