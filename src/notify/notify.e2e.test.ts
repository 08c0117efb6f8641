import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from '../archive/columns.js';
import { startTestService, type TestService } from '../../test/support/service.js';
import { Receiver } from './receiver.fixture.js';
import { verifySignature } from './signature.js';

const ARCHIVE = [
  ARCHIVE_COLUMNS.join(','),
  'C001,Works,DEDICATED|KEY,Zhangjiang Road 1,021-5555,Li,100,0.9,31.2,121.5,M001,T01,3P4W,380,1.5,80,1,secondary',
].join('\n');
const Q = 15 * 60_000;
const slot = (i: number) => Math.floor(Date.now() / Q) * Q - (10 - i) * Q;

describe('alarm changes reach MQTT subscribers and webhooks (service on embedded PostgreSQL)', () => {
  let t: TestService;
  let device: mqtt.MqttClient;
  let listener: mqtt.MqttClient;
  const receiver = new Receiver();
  const mqttMessages: { topic: string; payload: { change: string; alarm: { id: string; rule: string } } }[] = [];
  let secret = '';

  beforeAll(async () => {
    t = await startTestService('pglite', { NOTIFY_ALLOW_LOOPBACK_HTTP: 'true' });
    const res = await t.api('/api/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: ARCHIVE });
    expect(res.status).toBe(200);
    const port = await receiver.start();
    const sub = await t.api('/api/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook`, filter: { classes: ['KEY'], transitions: ['created', 'acknowledged'] } }),
    });
    expect(sub.status).toBe(201);
    secret = ((await sub.json()) as { secret: string }).secret;
    listener = await mqtt.connectAsync(t.mqttUrl, { clientId: 'alarm-listener' });
    listener.on('message', (topic, payload) => mqttMessages.push({ topic, payload: JSON.parse(payload.toString()) }));
    await listener.subscribeAsync('alarms/#', { qos: 1 });
    device = await mqtt.connectAsync(t.mqttUrl, { clientId: 'T01' });
  });

  afterAll(async () => {
    await device?.endAsync();
    await listener?.endAsync();
    await receiver.stop();
    await t?.close();
  });

  it('publishes a raised alarm to alarms/KEY/C001/M001 and posts it, signed, to the webhook; then its acknowledgement', async () => {
    // 3P4W 380 V: 251.3 V is over the KEY qualified band (+7 % of 219.4 V), one point raises V1 (domain.md 3.2).
    await device.publishAsync('concentrators/T01/voltage', JSON.stringify({ records: [{ meter: 'M001', ts: slot(2), a: 251.3, b: 229, c: 230 }] }), { qos: 1 });
    await t.svc.drain();

    await expect.poll(() => mqttMessages.filter((m) => m.payload.change === 'created').length, { timeout: 5_000 }).toBeGreaterThan(0);
    const created = mqttMessages.find((m) => m.payload.change === 'created' && m.payload.alarm.rule === 'V1')!;
    expect(created.topic).toBe('alarms/KEY/C001/M001');

    await expect.poll(() => receiver.requests.length, { timeout: 5_000 }).toBeGreaterThan(0);
    const body = JSON.parse(receiver.requests[0].body);
    expect(body).toMatchObject({ type: 'alarm.created', deliveryId: receiver.requests[0].deliveryId });
    expect(verifySignature(receiver.requests[0].signature, secret, receiver.requests[0].body, Math.floor(Date.now() / 1000))).toBe(true);

    const id = created.payload.alarm.id;
    const ack = await t.api(`/api/alarms/${id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'li' }) });
    expect(ack.status).toBe(200);
    await expect.poll(() => mqttMessages.some((m) => m.payload.change === 'acknowledged' && m.payload.alarm.id === id), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => receiver.requests.some((r) => JSON.parse(r.body).type === 'alarm.acknowledged'), { timeout: 5_000 }).toBe(true);
    expect(new Set(receiver.requests.map((r) => r.deliveryId)).size).toBe(receiver.requests.length);
  });
});
