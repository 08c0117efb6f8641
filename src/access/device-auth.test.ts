import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { sampleArchive } from '../archive/archive.fixture.js';
import { createDeviceCredentials, type DeviceCredentials, type IssueOutcome } from './credentials.js';
import { createDeviceAuth, type DeviceAuthService } from './device-auth.js';
import { createDeviceCredentialStorePg } from './devices.pg.js';
import { verifySecret } from './secret-hash.js';

const log = pino({ level: 'silent' });
const REVALIDATE_MS = 200;

function secretOf(outcome: IssueOutcome): string {
  if (!outcome.ok) throw new Error(`not issued: ${outcome.code} ${outcome.message}`);
  return outcome.secret;
}

describe.each(DB_FLAVOURS)('device credentials and DeviceAuth on %s', (flavour) => {
  let db: TestDatabase;
  let auth: DeviceAuthService;
  let credentials: DeviceCredentials;
  let scrypts = 0;
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const others: DeviceAuthService[] = [];

  beforeEach(async () => {
    db = await openTestDatabase(flavour);
    await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'Mill', '{KEY}')`);
    await db.sql.query(`INSERT INTO concentrators (id) VALUES ('T1')`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, concentrator_id, wiring, nominal_voltage_v, values_side) VALUES ('M1', 'c1', 'T1', '3P4W', 380, 'primary'), ('M2', 'c1', NULL, '3P4W', 380, 'primary')`);
    const store = createDeviceCredentialStorePg(db.sql);
    scrypts = 0;
    events.length = 0;
    const counting: typeof verifySecret = (secret, stored) => ((scrypts += 1), verifySecret(secret, stored));
    auth = createDeviceAuth({ store, revalidateMs: 60_000, log, verifySecret: counting });
    // Wired as src/main.ts wires them.
    credentials = createDeviceCredentials({ store, onChange: (issued) => auth.refresh().then(() => auth.remember(issued)), securityEvent: (event, fields) => events.push({ event, fields }) });
  });
  afterEach(async () => {
    auth?.close();
    for (const other of others.splice(0)) other.close();
    await db?.drop();
  });

  it('lets in the right secret only: not a wrong one, not another device\'s, not an unknown device', async () => {
    const m2 = secretOf(await credentials.issueDevice('M2', 'admin1'));
    const t1 = secretOf(await credentials.issueDevice('T1', 'admin1'));
    expect(await auth.verify('M2', m2)).toEqual({ deviceId: 'M2', kind: 'meter', filters: [], version: '1' });
    expect(await auth.verify('T1', t1)).toMatchObject({ kind: 'concentrator' });
    expect(await auth.verify('M2', t1)).toBeUndefined();
    expect(await auth.verify('M2', m2 + 'x')).toBeUndefined();
    expect(await auth.verify('M2', '')).toBeUndefined();
    expect(await auth.verify('M1', m2)).toBeUndefined();
    expect(await auth.verify('nobody', m2)).toBeUndefined();
    expect(auth.byCertificate('T1')).toMatchObject({ deviceId: 'T1', kind: 'concentrator' });
    expect(auth.byCertificate('M1')).toBeUndefined();
  });

  it('costs one scrypt per device in a reconnect storm, and never remembers a failure as a success', async () => {
    const secret = secretOf(await credentials.issueDevice('M2', 'admin1'));
    let elsewhereScrypts = 0;
    const counting: typeof verifySecret = (s, stored) => ((elsewhereScrypts += 1), verifySecret(s, stored));
    // Another node, which did not issue the secret: a broker restart there, every device reconnecting at once.
    const elsewhere = createDeviceAuth({ store: createDeviceCredentialStorePg(db.sql), revalidateMs: 60_000, log, verifySecret: counting });
    others.push(elsewhere);
    const storm = await Promise.all(Array.from({ length: 50 }, () => elsewhere.verify('M2', secret)));
    expect(storm.every((p) => p?.deviceId === 'M2')).toBe(true);
    expect(await elsewhere.verify('M2', secret)).toBeDefined();
    expect(elsewhereScrypts).toBe(1);
    expect(await elsewhere.verify('M2', 'wrong')).toBeUndefined();
    expect(await elsewhere.verify('M2', 'wrong')).toBeUndefined();
    expect(elsewhereScrypts).toBe(3);
    expect(await elsewhere.verify('M2', secret)).toBeDefined();
    expect(elsewhereScrypts).toBe(3);
  });

  it('remembers the secrets this process issued: their first CONNECT costs no scrypt, a wrong secret still does', async () => {
    const m2 = secretOf(await credentials.issueDevice('M2', 'admin1'));
    const [t1] = await credentials.issueMissing({ meters: [], concentrators: ['T1'] }, 'admin1');
    expect(await auth.verify('M2', m2)).toMatchObject({ deviceId: 'M2' });
    expect(await auth.verify('T1', t1.secret)).toMatchObject({ deviceId: 'T1', version: '1' });
    expect(scrypts).toBe(0);
    expect(await auth.verify('M2', t1.secret)).toBeUndefined();
    expect(scrypts).toBe(1);
    auth.remember([{ deviceId: 'M2', version: 7, secret: 'not the version in the cache' }]);
    expect(await auth.verify('M2', 'not the version in the cache')).toBeUndefined();
  });

  it('rotation: the old secret stops working and the old session is no longer current; the new one works', async () => {
    const old = secretOf(await credentials.issueDevice('M2', 'admin1'));
    const session = (await auth.verify('M2', old))!;
    const fresh = secretOf(await credentials.issueDevice('M2', 'admin1'));
    expect(auth.isCurrent(session)).toBe(false);
    expect(await auth.verify('M2', old)).toBeUndefined();
    const next = (await auth.verify('M2', fresh))!;
    expect(next.version).toBe('2');
    expect(auth.isCurrent(next)).toBe(true);
  });

  it('a revocation is seen at once by this process and within the refresh interval by another', async () => {
    const secret = secretOf(await credentials.issueDevice('M2', 'admin1'));
    const elsewhere = createDeviceAuth({ store: createDeviceCredentialStorePg(db.sql), revalidateMs: REVALIDATE_MS, log });
    others.push(elsewhere);
    const session = (await elsewhere.verify('M2', secret))!;
    expect(elsewhere.isCurrent(session)).toBe(true);
    const revokedAtMs = Date.now();
    expect(await credentials.revoke('M2', ['meter', 'concentrator'], 'admin1')).toMatchObject({ revokedBy: 'admin1' });
    expect(auth.isCurrent((await auth.verify('M2', secret)) ?? session)).toBe(false);
    const deadlineMs = Date.now() + 20 * REVALIDATE_MS;
    while (elsewhere.isCurrent(session) && Date.now() < deadlineMs) await new Promise((r) => setTimeout(r, 20));
    process.stderr.write(`device-auth test (${flavour}): revocation seen by a second instance ${Date.now() - revokedAtMs} ms after it (refresh every ${REVALIDATE_MS} ms)\n`);
    expect(elsewhere.isCurrent(session)).toBe(false);
    expect(await elsewhere.verify('M2', secret)).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['credential_issued', 'revocation']);
  });

  it('issues only for devices in the archive, kind from the archive, and keeps subscriber ids apart from device ids', async () => {
    expect(await credentials.issueDevice('nobody', 'a')).toMatchObject({ ok: false, code: 'DEVICE_NOT_FOUND' });
    expect(await credentials.issueSubscriber('M1', ['alarms/#'], 'a')).toMatchObject({ ok: false, code: 'ID_TAKEN' });
    expect(await credentials.issueSubscriber('ops', ['alarms/KEY'], 'a')).toMatchObject({ ok: false, code: 'INVALID_FILTERS' });
    const ops = secretOf(await credentials.issueSubscriber('ops', ['alarms/KEY/#', 'alarms/KEY/#', 'alarms/+/c1/#'], 'a'));
    expect(await auth.verify('ops', ops)).toEqual({ deviceId: 'ops', kind: 'subscriber', filters: ['alarms/KEY/#', 'alarms/+/c1/#'], version: '1' });
    await db.sql.query(`INSERT INTO concentrators (id) VALUES ('ops')`);
    expect(await credentials.issueDevice('ops', 'a')).toMatchObject({ ok: false, code: 'ID_TAKEN' });
    expect(await credentials.revoke('ops', ['meter', 'concentrator'], 'a')).toBeUndefined();
    expect(await credentials.revoke('ops', ['subscriber'], 'a')).toMatchObject({ kind: 'subscriber' });
  });

  it('issues for an imported archive\'s concentrators and direct meters that have none, once', async () => {
    const archive = sampleArchive();
    await db.sql.query(`INSERT INTO concentrators (id) VALUES ('T01'), ('T02')`);
    const first = await credentials.issueMissing(archive, 'admin1');
    expect(first.map((i) => [i.deviceId, i.kind]).sort()).toEqual([['M004', 'meter'], ['T01', 'concentrator'], ['T02', 'concentrator']]);
    expect(await auth.verify('T01', first.find((i) => i.deviceId === 'T01')!.secret)).toMatchObject({ kind: 'concentrator' });
    expect(await credentials.issueMissing(archive, 'admin1')).toEqual([]);
    const issued = events.filter((e) => e.event === 'credential_issued');
    expect(issued).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(first[0].secret);
  });
});
