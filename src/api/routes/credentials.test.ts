import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../access/roles.js';
import { DB_FLAVOURS } from '../../../test/support/db.js';
import { openTestApp, type TestApp } from './app.fixture.js';

// Concentrator T1 with meter m3 behind it, direct meter m4; the fixture already has direct meters m1, m2.
const ARCHIVE_CSV = [
  'customer_id,customer_name,classes,address,phone,account_manager,contract_kva,pf_standard,lat,lon,meter_id,concentrator_id,wiring,nominal_voltage_v,rated_current_a,ct_ratio,pt_ratio,values_side',
  'c3,Works,KEY,,,,,,,,m3,T1,3P4W,380,6,1,1,primary',
  'c3,Works,KEY,,,,,,,,m4,,3P4W,380,6,1,1,primary',
].join('\n');

const WRITES = [
  ['POST', '/api/devices/m1/credentials'],
  ['GET', '/api/devices/m1/credentials'],
  ['DELETE', '/api/devices/m1/credentials'],
  ['POST', '/api/mqtt-subscribers'],
  ['GET', '/api/mqtt-subscribers/ops'],
  ['DELETE', '/api/mqtt-subscribers/ops'],
] as const;

describe.each(DB_FLAVOURS)('credential routes on %s', (flavour) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(flavour);
  });
  afterAll(async () => t?.close());

  it('issues a device credential once, shows it without the secret, rotates and revokes it', async () => {
    const issued = await t.app.inject({ method: 'POST', url: '/api/devices/m1/credentials' });
    expect(issued.statusCode).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const { deviceId, kind, secret } = issued.json<{ deviceId: string; kind: string; secret: string }>();
    expect([deviceId, kind]).toEqual(['m1', 'meter']);
    expect(secret).toMatch(/^[\w-]{43}$/);

    const shown = await t.app.inject({ url: '/api/devices/m1/credentials' });
    expect(shown.json()).toMatchObject({ deviceId: 'm1', kind: 'meter', version: 1, revokedAt: null });
    expect(shown.body).not.toContain(secret);
    expect(shown.body).not.toMatch(/scrypt|secret/i);

    const rotated = await t.app.inject({ method: 'POST', url: '/api/devices/m1/credentials' });
    expect(rotated.json().secret).not.toBe(secret);
    expect((await t.app.inject({ url: '/api/devices/m1/credentials' })).json()).toMatchObject({ version: 2 });

    expect((await t.app.inject({ method: 'DELETE', url: '/api/devices/m1/credentials' })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/devices/m1/credentials' })).json().revokedAt).not.toBeNull();
  });

  it.each([
    ['POST', '/api/devices/nope/credentials', 404, 'DEVICE_NOT_FOUND'],
    ['GET', '/api/devices/m2/credentials', 404, 'CREDENTIAL_NOT_FOUND'],
    ['DELETE', '/api/devices/m2/credentials', 404, 'CREDENTIAL_NOT_FOUND'],
    ['DELETE', '/api/mqtt-subscribers/m1', 404, 'CREDENTIAL_NOT_FOUND'],
  ] as const)('%s %s answers %d %s', async (method, url, status, code) => {
    const res = await t.app.inject({ method, url });
    expect([res.statusCode, res.json().error]).toEqual([status, code]);
  });

  it('issues an alarm subscriber its secret once, within valid filters, under an id no device has', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/mqtt-subscribers', payload: { id: 'ops-1', filters: ['alarms/KEY/#', 'alarms/+/c2/+'] } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: 'ops-1', filters: ['alarms/KEY/#', 'alarms/+/c2/+'], secret: expect.stringMatching(/^[\w-]{43}$/) });
    expect((await t.app.inject({ url: '/api/mqtt-subscribers/ops-1' })).json()).toMatchObject({ kind: 'subscriber', filters: ['alarms/KEY/#', 'alarms/+/c2/+'] });
    expect((await t.app.inject({ url: '/api/devices/ops-1/credentials' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/mqtt-subscribers/ops-1' })).statusCode).toBe(204);
  });

  it.each([
    [{ id: 'm2', filters: ['alarms/#'] }, 409, 'ID_TAKEN'],
    [{ id: 'ops', filters: ['#'] }, 400, 'INVALID_FILTERS'],
    [{ id: 'ops', filters: ['alarms/KEY/c1/m1/#'] }, 400, 'INVALID_FILTERS'],
    [{ id: 'ops', filters: [] }, 400, 'BAD_REQUEST'],
    [{ id: 'a/b', filters: ['alarms/#'] }, 400, 'BAD_REQUEST'],
    [{ id: 'ops', filters: ['alarms/#'], extra: 1 }, 400, 'BAD_REQUEST'],
  ])('refuses subscriber %j with %d %s', async (payload, status, code) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/mqtt-subscribers', payload });
    expect([res.statusCode, res.json().error]).toEqual([status, code]);
  });

  const others = ROLES.filter((r) => r !== 'admin');
  it.each(others.flatMap((role) => WRITES.map(([method, url]) => [role, method, url] as const)))('%s: %s %s is forbidden', async (role, method, url) => {
    const res = await t.raw.inject({ method, url, headers: { authorization: `Bearer ${t.tokens[role]}` }, payload: method === 'POST' ? { id: 'ops', filters: ['alarms/#'] } : undefined });
    expect([res.statusCode, res.json().error]).toEqual([403, 'FORBIDDEN']);
  });

  it.each(WRITES)('without a token: %s %s is unauthenticated', async (method, url) => {
    expect((await t.raw.inject({ method, url })).statusCode).toBe(401);
  });

  it('archive import with credentials=issue: only with credentials:write; secrets for new concentrators and direct meters, once', async () => {
    const asIntegrator = await t.raw.inject({
      method: 'POST', url: '/api/archive/import?credentials=issue', headers: { authorization: `Bearer ${t.tokens.integrator}`, 'content-type': 'text/csv' }, payload: ARCHIVE_CSV,
    });
    expect([asIntegrator.statusCode, asIntegrator.json().error]).toEqual([403, 'FORBIDDEN']);
    expect(t.events).toContainEqual({ event: 'acl_denied', fields: expect.objectContaining({ role: 'integrator', permission: 'credentials:write' }) });
    expect((await t.app.inject({ url: '/api/meters/m3' })).statusCode).toBe(404);

    const first = await t.app.inject({ method: 'POST', url: '/api/archive/import?credentials=issue', headers: { 'content-type': 'text/csv' }, payload: ARCHIVE_CSV });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const { credentials } = first.json<{ credentials: { deviceId: string; kind: string; secret: string }[] }>();
    expect(credentials.map((c) => [c.deviceId, c.kind]).sort()).toEqual([['T1', 'concentrator'], ['m4', 'meter']]);

    const again = await t.app.inject({ method: 'POST', url: '/api/archive/import?credentials=issue', headers: { 'content-type': 'text/csv' }, payload: ARCHIVE_CSV });
    expect(again.json().credentials).toEqual([]);
    const plain = await t.app.inject({ method: 'POST', url: '/api/archive/import', headers: { 'content-type': 'text/csv' }, payload: ARCHIVE_CSV });
    expect(plain.json()).not.toHaveProperty('credentials');
    expect((await t.app.inject({ method: 'POST', url: '/api/archive/import?credentials=all', headers: { 'content-type': 'text/csv' }, payload: ARCHIVE_CSV })).statusCode).toBe(400);
  });
});
