import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, ensureTelemetryDays, openTestDatabase, type TestDatabase } from '../../../test/support/db.js';
import { ApiError } from '../errors.js';
import { createOverviewQueriesPg } from '../overview.pg.js';
import { overviewRoutes } from './overview.js';

const D0 = Date.UTC(2026, 10, 24, 16); // 2026-11-25 00:00 in Asia/Shanghai
const Q = 15 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(DB_FLAVOURS)('overview routes on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  async function open(nowMs: number) {
    db = await openTestDatabase(flavour);
    await ensureTelemetryDays(db.sql, '2026-11-23', '2026-11-25');
    await db.sql.query(`INSERT INTO concentrators (id, online) VALUES ('k1', true), ('k2', false), ('k3', NULL), ('k4', true)`);
    await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'Steelworks', '{KEY,TOP100}'), ('c2', 'Mall', '{KEY}'), ('c3', 'Shop', '{LV_NONRES}')`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES
      ('m1', 'c1', '3P4W', 380, 'primary'), ('m2', 'c2', '3P4W', 380, 'primary'), ('m3', 'c3', '1P', 220, 'primary'), ('m4', 'c3', '1P', 220, 'primary')`);
    const load = (m: string, ms: number, p: number | null) =>
      db.sql.query(`INSERT INTO telemetry_load (meter_id, ts, p, multiplier) VALUES ($1, $2, $3, 1)`, [m, iso(ms), p]);
    await load('m1', D0, 100);
    await load('m1', D0 + 5 * 60_000, 200); // same quarter: averaged to 150 for m1, not summed
    await load('m2', D0, 40);
    await load('m3', D0, 1);
    await load('m3', D0 + Q, null); // missing is not zero and not received
    await load('m1', D0 + Q, 10);
    await load('m1', D0 - Q, 999); // yesterday
    await db.sql.query(`INSERT INTO alarms (meter_id, customer_id, rule, severity, active, start_ts, last_ts) VALUES
      ('m1', 'c1', 'V1', 'MAJOR', true, $1, $1), ('m2', 'c2', 'V1', 'MAJOR', true, $1, $1),
      ('m3', 'c3', 'O1', 'CRITICAL', true, $1, $1), ('m3', 'c3', 'V2', 'MINOR', false, $1, $1)`, [iso(D0)]);
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    app.setErrorHandler((err, _req, reply) =>
      err instanceof ApiError ? reply.status(err.statusCode).send({ error: err.code }) : reply.status(400).send({ error: 'BAD_REQUEST' }));
    await app.register(overviewRoutes({ overview: createOverviewQueriesPg(db.sql, 'Asia/Shanghai'), nowMs: () => nowMs, utilityTz: 'Asia/Shanghai' }), { prefix: '/api' });
    return app;
  }

  it('sums each meter once per quarter, per class and in total, on the local day', async () => {
    const app = await open(D0 + 3 * Q);
    const res = await app.inject({ url: '/api/overview/load?day=2026-11-25' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ts).toHaveLength(96);
    expect(body.ts[0]).toBe(D0);
    expect(body.total.slice(0, 3)).toEqual([191, 10, null]);
    expect(body.classes.KEY.slice(0, 3)).toEqual([190, 10, null]);
    expect(body.classes.TOP100.slice(0, 2)).toEqual([150, 10]);
    expect(body.classes.LV_NONRES.slice(0, 2)).toEqual([1, null]);
    const yesterday = (await app.inject({ url: '/api/overview/load?day=2026-11-24' })).json();
    expect(yesterday.total[95]).toBe(999);
    expect((await app.inject({ url: '/api/overview/load?day=tomorrow' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/overview/load?day=2026-13-45' })).json()).toEqual({ error: 'BAD_DAY' });
    await app.close();
  });

  it('counts open alarms per class and severity, concentrators and completeness of completed quarters', async () => {
    const app = await open(D0 + 2 * Q + 60_000);
    const body = (await app.inject({ url: '/api/overview' })).json();
    expect(body).toEqual({
      day: '2026-11-25',
      alarms: { KEY: { MAJOR: 2 }, TOP100: { MAJOR: 1 }, LV_NONRES: { CRITICAL: 1 } },
      concentrators: { online: 2, offline: 1, unknown: 1 },
      // 4 meters x 2 completed quarters; received: m1 q0, m2 q0, m3 q0, m1 q1 (m3's null at q1 is a row, counted as
      // received: the meter answered, the value was unreadable)
      completeness: { expected: 8, received: 5, share: 5 / 8 },
    });
    await app.close();
  });

  it('places large customers with lat/lon, each with its worst open alarm', async () => {
    const app = await open(D0);
    await db.sql.query(`UPDATE customers SET lat = 31.2, lon = 121.5`);
    await db.sql.query(`INSERT INTO customers (id, name, classes, lat, lon) VALUES ('c4', 'Works', '{DEDICATED}', 30.1, 120.2), ('c5', 'Nowhere', '{KEY}', NULL, NULL)`);
    const { items } = (await app.inject({ url: '/api/overview/map' })).json();
    expect(items.map((p: { id: string; worstSeverity: string | null }) => [p.id, p.worstSeverity])).toEqual([['c1', 'MAJOR'], ['c2', 'MAJOR'], ['c4', null]]);
    expect(items[2]).toMatchObject({ name: 'Works', classes: ['DEDICATED'], lat: 30.1, lon: 120.2 });
    await app.close();
  });
});
