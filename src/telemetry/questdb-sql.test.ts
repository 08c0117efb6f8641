import { describe, expect, it } from 'vitest';
import { createTableStatements, isoUtc, latestStatement, parseUtcTimestampMs, sampledCurveStatement, seriesStatement } from './questdb-sql.js';

describe('parseUtcTimestampMs: QuestDB timestamps are UTC whatever the process zone', () => {
  it.each([
    ['2026-11-24 16:00:00', Date.UTC(2026, 10, 24, 16)],
    ['2026-11-24 16:00:00.123456', Date.UTC(2026, 10, 24, 16, 0, 0, 123)],
    ['2026-11-24T16:00:00.5Z', Date.UTC(2026, 10, 24, 16, 0, 0, 500)],
    ['2026-11-24 16:00:00.000000+00', Date.UTC(2026, 10, 24, 16)],
    ['2026-11-24 16:00:00+00:00', Date.UTC(2026, 10, 24, 16)],
    ['1970-01-01 00:00:00', 0],
  ])('%s', (text, ms) => {
    expect(parseUtcTimestampMs(text)).toBe(ms);
  });

  it.each(['2026-11-24 16:00:00+08', '24/11/2026', ''])('refuses %j rather than guess a zone', (text) => {
    expect(() => parseUtcTimestampMs(text)).toThrow();
  });
});

describe('statements', () => {
  it('creates each table with designated ts, DAY partitions, WAL and DEDUP on (ts, meter_id), symbols for meter, customer, class', () => {
    const [create, dedup] = createTableStatements('load');
    expect(create).toMatch(/^CREATE TABLE IF NOT EXISTS telemetry_load \(/);
    expect(create).toMatch(/meter_id SYMBOL,\s+customer_id SYMBOL,\s+class SYMBOL,/);
    expect(create).toMatch(/p DOUBLE,\s+q DOUBLE,\s+pf DOUBLE,\s+multiplier DOUBLE\s+\)/);
    expect(create).toMatch(/\) TIMESTAMP\(ts\) PARTITION BY DAY WAL\s+DEDUP UPSERT KEYS\(ts, meter_id\)$/);
    expect(dedup).toBe('ALTER TABLE telemetry_load DEDUP ENABLE UPSERT KEYS(ts, meter_id)');
  });

  it('series: half-open range on the designated timestamp, ordered', () => {
    expect(seriesStatement('voltage')).toBe('SELECT ts, a, b, c FROM telemetry_voltage\nWHERE meter_id = $1 AND ts >= $2 AND ts < $3\nORDER BY ts');
  });

  it.each([
    ['load', '15m', 'avg(p) AS p, avg(q) AS q, avg(pf) AS pf'],
    ['reading', '1d', 'last(total) AS total'],
  ] as const)('sampled curve of %s by %s in the utility zone', (kind, bucket, aggregates) => {
    const sql = sampledCurveStatement(kind, bucket, 'Asia/Shanghai');
    expect(sql).toContain(aggregates);
    expect(sql).toMatch(new RegExp(`SAMPLE BY ${bucket} ALIGN TO CALENDAR TIME ZONE 'Asia/Shanghai'$`));
  });

  it.each([
    ['1h; DROP TABLE x', 'Asia/Shanghai'],
    ['0m', 'Asia/Shanghai'],
    ['1h', "Asia/Shanghai'; --"],
  ])('refuses a bucket or zone that is not plain (%s, %s)', (bucket, zone) => {
    expect(() => sampledCurveStatement('load', bucket, zone)).toThrow();
  });

  it('latest: one placeholder per meter, LATEST ON ts PARTITION BY meter_id', () => {
    expect(latestStatement('current', 3)).toBe('SELECT ts, meter_id, a, b, c FROM telemetry_current\nWHERE meter_id IN ($1, $2, $3)\nLATEST ON ts PARTITION BY meter_id');
    expect(() => latestStatement('current', 0)).toThrow();
  });

  it('binds timestamps as ISO-8601 UTC text', () => {
    expect(isoUtc(Date.UTC(2026, 10, 24, 16))).toBe('2026-11-24T16:00:00.000Z');
  });
});
