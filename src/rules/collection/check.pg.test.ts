import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, ensureTelemetryDays, openTestDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCollectionChecker } from './check.js';

const DAY = '2025-01-06';
// Asia/Shanghai midnights: 2025-01-06 00:00 local = 2025-01-05T16:00Z.
const FREEZE_CLOSING_0105 = '2025-01-05T16:00:00Z';
const FREEZE_CLOSING_DAY = '2025-01-06T16:00:00Z';
const log = pino({ level: 'silent' });

describe.each(DB_FLAVOURS)('collection checks on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  async function setUp() {
    db = await openTestDatabase(flavour);
    await ensureTelemetryDays(db.sql, '2025-01-01', '2025-01-10');
    await db.sql.exec(`
      INSERT INTO customers (id, name, classes) VALUES ('CK', 'Key works', '{KEY}'), ('CR1', 'Home 1', '{RESIDENTIAL}'), ('CR2', 'Home 2', '{RESIDENTIAL}');
      INSERT INTO concentrators (id) VALUES ('T1');
      INSERT INTO meters (id, customer_id, concentrator_id, wiring, nominal_voltage_v, values_side) VALUES
        ('k1', 'CK', NULL, '3P4W', 10000, 'secondary'),
        ('r1', 'CR1', 'T1', '1P', 220, 'primary'),
        ('r2', 'CR2', 'T1', '1P', 220, 'primary');
      INSERT INTO telemetry_reading (meter_id, ts, total, multiplier) VALUES ('k1', '${FREEZE_CLOSING_0105}', 100, 1);`);
    return createCollectionChecker({ sql: db.sql, log, utilityTz: 'Asia/Shanghai' });
  }
  const freeze = (meterId: string, ts: string) =>
    db.sql.query('INSERT INTO telemetry_reading (meter_id, ts, total, multiplier) VALUES ($1, $2, 120, 1)', [meterId, ts]);

  it('raises C1 at the class severity, one grouped alarm for a silent concentrator, nothing new on a re-run', async () => {
    const checker = await setUp();
    const changes = await checker.evaluateCollection(DAY);
    const seen = changes.map((c) => [c.change, c.alarm.originator ?? c.alarm.meterId, c.alarm.rule, c.alarm.severity, c.alarm.customer.id]).sort();
    // k1 (KEY) misses one freeze: WARNING. r1 and r2 never sent anything (7+ days, RESIDENTIAL: MINOR), as one alarm.
    expect(seen).toEqual([
      ['created', 'concentrator:T1', 'C1', 'MINOR', ''],
      ['created', 'k1', 'C1', 'WARNING', 'CK'],
    ]);
    const grouped = changes.find((c) => c.alarm.originator)!.alarm;
    expect([grouped.meterId, grouped.details.meterIds]).toEqual(['', ['r1', 'r2']]);
    expect(changes.find((c) => c.alarm.meterId === 'k1')!.alarm.startTs).toBe('2025-01-06T16:00:00.000Z');
    expect(await checker.evaluateCollection(DAY)).toEqual([]);
    const open = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM alarms WHERE active');
    expect(open.rows[0].n).toBe(2);
  });

  it('escalates on the next day and clears when the late freeze arrives', async () => {
    const checker = await setUp();
    await checker.evaluateCollection(DAY);
    const next = await checker.evaluateCollection('2025-01-07');
    expect(next.filter((c) => c.alarm.meterId === 'k1').map((c) => [c.change, c.alarm.severity])).toEqual([['escalated', 'MAJOR']]);
    // Back-filled (补抄) freezes for both missing days: the next run clears.
    await freeze('k1', FREEZE_CLOSING_DAY);
    await freeze('k1', '2025-01-07T16:00:00Z');
    const cleared = await checker.evaluateCollection('2025-01-07');
    // k1 now delivers freezes but no curve at all: C2 (0 %) is raised beside the C1 clear.
    expect(cleared.map((c) => [c.change, c.alarm.meterId, c.alarm.rule])).toEqual([['cleared', 'k1', 'C1'], ['created', 'k1', 'C2']]);
    expect(cleared[0].alarm.details).toMatchObject({ day: '2025-01-07', missingDays: 2, clearedByDay: '2025-01-07' });
    expect(await checker.evaluateCollection('2025-01-07')).toEqual([]);
  });

  it('clears the grouped alarm when one meter of the concentrator reports, and judges the others one by one', async () => {
    const checker = await setUp();
    await checker.evaluateCollection(DAY);
    await freeze('r1', FREEZE_CLOSING_DAY);
    const changes = await checker.evaluateCollection(DAY);
    expect(changes.map((c) => [c.change, c.alarm.originator ?? c.alarm.meterId, c.alarm.severity])).toEqual([
      ['cleared', 'concentrator:T1', 'MINOR'],
      ['created', 'r2', 'MINOR'],
    ]);
  });

  it('raises C2 for a KEY meter whose curves are under 90 % complete, and clears it when the points arrive', async () => {
    const checker = await setUp();
    await freeze('k1', FREEZE_CLOSING_DAY);
    const points = (n: number, fromIndex = 0) => db.sql.query(
      `INSERT INTO telemetry_load (meter_id, ts, p, multiplier)
       SELECT 'k1', $1::timestamptz + (i * interval '15 minutes'), 50, 1 FROM generate_series($2::int, $3::int) AS i`,
      ['2025-01-05T16:00:00Z', fromIndex, fromIndex + n - 1],
    );
    for (const table of ['telemetry_voltage', 'telemetry_current']) {
      await db.sql.query(
        `INSERT INTO ${table} (meter_id, ts, a, b, c, multiplier)
         SELECT 'k1', $1::timestamptz + (i * interval '15 minutes'), 1, 1, 1, 1 FROM generate_series(0, 95) AS i`,
        ['2025-01-05T16:00:00Z'],
      );
    }
    await points(80);
    const raised = await checker.evaluateCollection(DAY);
    expect(raised.filter((c) => c.alarm.meterId === 'k1').map((c) => [c.change, c.alarm.rule, c.alarm.severity, c.alarm.threshold])).toEqual([
      ['created', 'C2', 'WARNING', 90],
    ]);
    await points(16, 80);
    const cleared = await checker.evaluateCollection(DAY);
    expect(cleared.map((c) => [c.change, c.alarm.rule])).toEqual([['cleared', 'C2']]);
  });
});
