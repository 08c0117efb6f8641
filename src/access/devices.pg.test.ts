import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createDeviceCredentialStorePg } from './devices.pg.js';
import type { DeviceCredentialStore, NewCredential } from './devices.js';

const meter = (deviceId: string, secretHash = 'scrypt$h1'): NewCredential => ({ deviceId, kind: 'meter', secretHash, filters: [], issuedBy: 'admin1' });

describe.each(DB_FLAVOURS)('device credential store on %s', (flavour) => {
  let db: TestDatabase;
  let store: DeviceCredentialStore;
  beforeEach(async () => {
    db = await openTestDatabase(flavour);
    store = createDeviceCredentialStorePg(db.sql);
    await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'Mill', '{KEY}')`);
    await db.sql.query(`INSERT INTO concentrators (id) VALUES ('T1'), ('X1')`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, concentrator_id, wiring, nominal_voltage_v, values_side) VALUES ('M1', 'c1', 'T1', '3P4W', 380, 'primary'), ('X1', 'c1', NULL, '1P', 220, 'primary')`);
  });
  afterEach(async () => db?.drop());

  it('issues at version 1, rotates to version 2 with the new hash, and never returns the hash as metadata', async () => {
    const first = await store.put(meter('M1'));
    expect(first).toMatchObject({ deviceId: 'M1', kind: 'meter', version: 1, issuedBy: 'admin1', revokedAt: null });
    expect(first).not.toHaveProperty('secretHash');
    const rotated = await store.put({ ...meter('M1', 'scrypt$h2'), issuedBy: 'admin2' });
    expect(rotated).toMatchObject({ version: 2, issuedBy: 'admin2' });
    expect(rotated.rotatedAt.getTime()).toBeGreaterThanOrEqual(first.rotatedAt.getTime());
    const { rows } = await store.changedSince(undefined);
    expect(rows).toEqual([expect.objectContaining({ deviceId: 'M1', secretHash: 'scrypt$h2', version: 2 })]);
  });

  it('revokes once (the first revocation stays), and a re-issue lifts it with a new version', async () => {
    await store.put(meter('M1'));
    const revoked = await store.revoke('M1', 'admin1');
    expect(revoked).toMatchObject({ revokedBy: 'admin1', version: 1 });
    expect(revoked!.revokedAt).toBeInstanceOf(Date);
    expect(await store.revoke('M1', 'admin2')).toMatchObject({ revokedBy: 'admin1', revokedAt: revoked!.revokedAt });
    expect(await store.revoke('nobody', 'admin1')).toBeUndefined();
    expect(await store.put(meter('M1'))).toMatchObject({ version: 2, revokedAt: null, revokedBy: null });
  });

  it('inserts only for ids without any row, a revoked one included, and says which', async () => {
    await store.put(meter('M1'));
    await store.put(meter('M2'));
    await store.revoke('M2', 'admin1');
    expect(await store.missing(['M1', 'M2', 'M3', 'M4'])).toEqual(['M3', 'M4']);
    const inserted = await store.insertMissing([meter('M1', 'other'), meter('M2', 'other'), { ...meter('M3'), kind: 'concentrator' }]);
    expect(inserted).toEqual(['M3']);
    expect(await store.get('M3')).toMatchObject({ kind: 'concentrator', version: 1 });
    expect((await store.changedSince(undefined)).rows.find((r) => r.deviceId === 'M1')!.secretHash).toBe('scrypt$h1');
    expect(await store.insertMissing([])).toEqual([]);
  });

  it('reads only the rows changed at or after a point, with the newest change time', async () => {
    await store.put(meter('M1'));
    const { newestAt } = await store.changedSince(undefined);
    await db.sql.query(`UPDATE device_credentials SET updated_at = updated_at - interval '1 hour'`);
    await store.put(meter('M2'));
    const later = await store.changedSince(newestAt);
    expect(later.rows.map((r) => r.deviceId)).toEqual(['M2']);
    expect(later.newestAt!.getTime()).toBeGreaterThanOrEqual(newestAt!.getTime());
  });

  it('keeps subscriber filters and refuses filters on a device credential', async () => {
    await store.put({ deviceId: 'ops', kind: 'subscriber', secretHash: 'h', filters: ['alarms/KEY/#', 'alarms/+/c1/#'], issuedBy: 'a' });
    expect(await store.get('ops')).toMatchObject({ kind: 'subscriber', filters: ['alarms/KEY/#', 'alarms/+/c1/#'] });
    await expect(store.put({ ...meter('M1'), filters: ['alarms/#'] })).rejects.toThrow();
  });

  it('knows a device id from the archive as a meter, a concentrator, or ambiguous when it names both', async () => {
    const table = [['M1', 'meter'], ['T1', 'concentrator'], ['X1', 'ambiguous'], ['nothing', undefined]];
    expect(await Promise.all(table.map(([id]) => store.archiveKind(id!)))).toEqual(table.map(([, kind]) => kind));
  });
});
