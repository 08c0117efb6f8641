import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PgArchiveStore } from '../../src/archive/archive.pg.js';
import { ARCHIVE_COLUMNS } from '../../src/archive/columns.js';
import { importArchiveText } from '../../src/archive/import.js';
import { connectMqtt, mosquitto } from '../../src/broker/mqtt-clients.fixture.js';
import { openPg } from '../../src/db/sql.pg.js';
import { TEST_DATABASE_URL } from '../support/db.js';
import { startTestService, type TestService } from '../support/service.js';

// SBM1 behind SBT1, SBM2 behind SBT2, SBM3 direct.
const row = (customer: string, meter: string, concentrator: string) =>
  `${customer},Broker Test,KEY,"1 Test Rd",021-5555,Li Ming,100,0.9,31.2,121.5,${meter},${concentrator},3P4W,380,1,1,1,primary`;
const archive = (sbm1Behind: string) =>
  [ARCHIVE_COLUMNS.join(','), row('SBC1', 'SBM1', sbm1Behind), row('SBC1', 'SBM2', 'SBT2'), row('SBC2', 'SBM3', '')].join('\n');

interface QuarantineItem { reason: string; meterId: string | null; clientId: string | null; topic: string; payload: string | null }

/**
 * The broker's rules against the whole service on PostgreSQL, with credentials issued over the admin API and
 * MQTT_REVALIDATE_S=1, tried with mqtt.js and mosquitto_pub / mosquitto_sub.
 */
describe('MQTT device security, end to end', () => {
  let service: TestService;
  let token: string;
  const secrets = new Map<string, string>();
  const clients: MqttClient[] = [];

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${service.base}/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    });
  const quarantined = async (reason: string, meter?: string): Promise<QuarantineItem[]> =>
    ((await (await api(`/quarantine?limit=100&reason=${reason}${meter ? `&meter=${meter}` : ''}`)).json()) as { items: QuarantineItem[] }).items;
  async function device(id: string): Promise<MqttClient> {
    const c = await connectMqtt(service.mqttUrl, { clientId: id, username: id, password: secrets.get(id) });
    if (typeof c === 'number') throw new Error(`${id} refused with ${c}`);
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    service = await startTestService('postgres', { MQTT_ALLOW_ANONYMOUS: 'false', MQTT_REVALIDATE_S: '1' });
    token = (await readFile(join(service.dataDir, 'admin-token'), 'utf8')).trim();
    const imported = await api('/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: archive('SBT1') });
    expect(imported.status, await imported.clone().text()).toBe(200);
    for (const id of ['SBM1', 'SBM2', 'SBM3', 'SBT1', 'SBT2']) {
      const res = await api(`/devices/${id}/credentials`, { method: 'POST' });
      expect(res.status, await res.clone().text()).toBe(201);
      secrets.set(id, ((await res.json()) as { secret: string }).secret);
    }
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await service?.close();
  });

  it('refuses mosquitto_pub without credentials and with another device\'s secret; nothing is stored', async () => {
    const base = ['-h', '127.0.0.1', '-p', String(service.svc.mqttPort), '-t', 'meters/SBM1/load', '-m', `[{"ts":${Date.now()},"p":1}]`, '-q', '1'];
    const none = await mosquitto('mosquitto_pub', [...base, '-i', 'SBM1']);
    expect(none.output).toMatch(/not authori[sz]ed/i);
    const other = await mosquitto('mosquitto_pub', [...base, '-i', 'SBM1', '-u', 'SBM1', '-P', secrets.get('SBM2')!]);
    expect(other.output).toMatch(/bad user name or password|not authori[sz]ed/i);
    const stolen = await mosquitto('mosquitto_pub', [...base, '-i', 'SBM1', '-u', 'SBM2', '-P', secrets.get('SBM2')!]);
    expect(stolen.output).toMatch(/identifier rejected/i);
    await service.svc.drain();
    expect(((await (await api('/meters/SBM1/series?kind=load')).json()) as { ts: number[] }).ts).toEqual([]);
  });

  it('quarantines meter SBM3 publishing as SBM1 (acl_denied, raw payload) and disconnects it', async () => {
    const c = await device('SBM3');
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('meters/SBM1/load', '{"forged":1}', { qos: 1 });
    await closed;
    await vi.waitFor(async () => expect(await quarantined('acl_denied')).toEqual([expect.objectContaining({ clientId: 'SBM3', topic: 'meters/SBM1/load', payload: '{"forged":1}' })]), { timeout: 10_000 });
  });

  it('quarantines a concentrator\'s record for a meter not behind it, and stores the one behind it', async () => {
    const c = await device('SBT1');
    const ts = Date.now() - 60_000;
    await c.publishAsync('concentrators/SBT1/load', JSON.stringify({ records: [{ meter: 'SBM1', ts, p: 11 }, { meter: 'SBM2', ts, p: 22 }] }), { qos: 1 });
    await vi.waitFor(async () => expect((await quarantined('not_behind_concentrator', 'SBM2')).length).toBe(1), { timeout: 10_000 });
  });

  it('applies a meter moved by another process\'s archive import to the next concentrator record within the period', async () => {
    const c = await device('SBT1');
    const sql = await openPg({ url: TEST_DATABASE_URL, schema: service.env.DATABASE_SCHEMA, maxConnections: 1 });
    try {
      expect((await importArchiveText(new PgArchiveStore(sql), archive('SBT2'), 'csv')).ok).toBe(true);
    } finally {
      await sql.close();
    }
    const movedAt = Date.now();
    let ts = Date.now() - 30_000;
    await vi.waitFor(async () => {
      await c.publishAsync('concentrators/SBT1/load', JSON.stringify({ records: [{ meter: 'SBM1', ts: ts++, p: 1 }] }), { qos: 1 });
      await service.svc.drain();
      expect((await quarantined('not_behind_concentrator', 'SBM1')).length).toBeGreaterThan(0);
    }, { timeout: 10_000, interval: 100 });
    console.info(`re-parented meter refused for its old concentrator ${Date.now() - movedAt} ms after the import (MQTT_REVALIDATE_S=1)`);
  });

  it('closes a live session within the period once its credential is revoked over the API', async () => {
    const c = await device('SBM2');
    const closedAt = new Promise<number>((resolve) => c.once('close', () => resolve(Date.now())));
    const revokedAt = Date.now();
    expect((await api('/devices/SBM2/credentials', { method: 'DELETE' })).status).toBe(204);
    console.info(`revoked over the API: session closed after ${(await closedAt) - revokedAt} ms (MQTT_REVALIDATE_S=1)`);
    expect(await connectMqtt(service.mqttUrl, { clientId: 'SBM2', username: 'SBM2', password: secrets.get('SBM2') })).toBe(4);
  });

  it('lets an alarm subscriber (mosquitto_sub) subscribe only within its filters', async () => {
    const res = await api('/mqtt-subscribers', { method: 'POST', body: JSON.stringify({ id: 'sb-feed', filters: ['alarms/KEY/#'] }) });
    expect(res.status).toBe(201);
    const secret = ((await res.json()) as { secret: string }).secret;
    const args = (topic: string) => ['-h', '127.0.0.1', '-p', String(service.svc.mqttPort), '-i', 'sb-feed', '-u', 'sb-feed', '-P', secret, '-t', topic, '-C', '1', '-W', '2'];
    expect((await mosquitto('mosquitto_sub', args('#'))).output).toMatch(/denied|refused|failed/i);
    expect((await mosquitto('mosquitto_sub', args('alarms/KEY/#'))).output).toMatch(/timed out/i);
  });
});
