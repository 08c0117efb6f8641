import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestBroker, type TestBroker } from './broker.fixture.js';
import { connackCode, connectBytes, connectMqtt, mosquitto, publishBytes, rawConnect } from './mqtt-clients.fixture.js';
import type { MqttClient } from 'mqtt';

let tb: TestBroker | undefined;
afterEach(async () => {
  await tb?.close();
  tb = undefined;
});

async function device(t: TestBroker, id: string, kind: 'meter' | 'concentrator' | 'subscriber', filters: string[] = []): Promise<MqttClient> {
  t.devices.add(id, kind, `secret-${id}`, filters);
  const c = await connectMqtt(t.url, { clientId: id, username: id, password: `secret-${id}` });
  if (typeof c === 'number') throw new Error(`${id} refused with ${c}`);
  return c;
}

/** Publishes and waits until the broker has either acknowledged or closed the connection. */
async function tryPublish(c: MqttClient, topic: string, payload: string | Buffer): Promise<'acked' | 'closed'> {
  const closed = new Promise<'closed'>((resolve) => c.once('close', () => resolve('closed')));
  const acked = c.publishAsync(topic, payload, { qos: 1 }).then(() => 'acked' as const, () => 'closed' as const);
  return Promise.race([acked, closed]);
}

describe('MQTT publish ACL', () => {
  it('disconnects meter A publishing as meter B: security event, quarantined acl_denied with the raw payload, nothing journaled', async () => {
    tb = await startTestBroker();
    const a = await device(tb, 'MA', 'meter');
    expect(await tryPublish(a, 'meters/MB/load', '{"forged":true}')).toBe('closed');
    expect(tb.journaled).toHaveLength(0);
    await vi.waitFor(() => expect(tb!.quarantined).toHaveLength(1));
    expect(tb.quarantined[0]).toMatchObject({ topic: 'meters/MB/load', clientId: 'MA', reason: 'acl_denied', payloadBytes: 15 });
    expect(tb.quarantined[0]!.payload.toString()).toBe('{"forged":true}');
    expect(tb.events).toContainEqual({ event: 'acl_denied', fields: expect.objectContaining({ deviceId: 'MA', action: 'publish', topic: 'meters/MB/load', reason: 'not_permitted' }) });
  });

  it('does the same for mosquitto_pub as meter A to meter B\'s topic', async () => {
    tb = await startTestBroker();
    tb.devices.add('MA', 'meter', 'secret-MA');
    const port = String(tb.broker.listening.port);
    const m = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-i', 'MA', '-u', 'MA', '-P', 'secret-MA', '-t', 'meters/MB/load', '-m', 'x', '-q', '1']);
    expect(m.code).not.toBe(0);
    expect(tb.journaled).toHaveLength(0);
    await vi.waitFor(() => expect(tb!.quarantined.map((q) => q.reason)).toEqual(['acl_denied']));
  });

  it.each([
    ['an alarm topic', 'alarms/residential/C1/MA'],
    ['a $SYS topic', '$SYS/broker/clients'],
    ['a concentrator topic', 'concentrators/MA/batch'],
    ['a topic deeper than the limit', `meters/MA/${Array.from({ length: 99 }, (_, i) => `l${i}`).join('/')}`],
  ])('disconnects a meter publishing to %s', async (_name, topic) => {
    tb = await startTestBroker();
    const a = await device(tb, 'MA', 'meter');
    expect(await tryPublish(a, topic, 'x')).toBe('closed');
    expect(tb.journaled).toHaveLength(0);
  });

  it('lets a concentrator publish its own topic (its records for other meters are for ingest to quarantine) but not another concentrator\'s', async () => {
    tb = await startTestBroker();
    const c = await device(tb, 'C1', 'concentrator');
    expect(await tryPublish(c, 'concentrators/C1/batch', '[]')).toBe('acked');
    expect(await tryPublish(c, 'concentrators/C2/batch', '[]')).toBe('closed');
    expect(tb.journaled.map((j) => j.topic)).toEqual(['concentrators/C1/batch']);
  });

  it('closes a PUBLISH whose topic is not UTF-8 (raw TCP) and quarantines it', async () => {
    tb = await startTestBroker({ allowAnonymous: true });
    const raw = await rawConnect(tb.broker.listening.port);
    raw.socket.write(connectBytes(Buffer.from('anon-1')));
    await vi.waitFor(() => expect(connackCode(raw.received)).toBe(0));
    raw.socket.write(publishBytes(Buffer.concat([Buffer.from('meters/M1/'), Buffer.from([0xc3, 0x28])]), Buffer.from('{}')));
    await raw.closed;
    expect(tb.journaled).toHaveLength(0);
    await vi.waitFor(() => expect(tb!.quarantined.map((q) => q.detail)).toEqual([expect.stringContaining('invalid_utf8')]));
  });

  it('closes a 101-level topic from mosquitto_pub before any hook stores it', async () => {
    tb = await startTestBroker({ allowAnonymous: true });
    const topic = `meters/M1/${Array.from({ length: 99 }, (_, i) => `l${i}`).join('/')}`;
    expect(topic.split('/')).toHaveLength(101);
    const m = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(tb.broker.listening.port), '-i', 'anon-2', '-t', topic, '-m', 'x', '-q', '1']);
    expect(m.code).not.toBe(0);
    expect(tb.journaled).toHaveLength(0);
  });
});

describe('MQTT subscribe ACL', () => {
  it('answers SUBACK 0x80 to a meter subscribing to # (mqtt.js) and keeps it connected; its own command topic is granted', async () => {
    tb = await startTestBroker();
    const a = await device(tb, 'MA', 'meter');
    // mqtt.js turns a SUBACK 0x80 into a rejected promise carrying the SUBACK.
    const refused = (filter: string) => a.subscribeAsync(filter).then(() => 'granted', (err: { packet?: { granted?: number[] } }) => err.packet?.granted);
    expect(await refused('#')).toEqual([128]);
    expect(await refused('meters/MB/cmd/#')).toEqual([128]);
    expect(await refused('meters/MA/cmd/#')).toBe('granted');
    expect(a.connected).toBe(true);
    expect(tb.events.filter((e) => e.event === 'acl_denied').map((e) => e.fields.topic)).toEqual(['#', 'meters/MB/cmd/#']);
    await a.endAsync();
  });

  it('refuses mosquitto_sub -t "#" for an alarm subscriber, which receives only alarms within its filter', async () => {
    tb = await startTestBroker();
    tb.devices.add('S1', 'subscriber', 'secret-S1', ['alarms/residential/#']);
    const port = String(tb.broker.listening.port);
    const denied = await mosquitto('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-i', 'S1', '-u', 'S1', '-P', 'secret-S1', '-t', '#', '-C', '1', '-W', '2']);
    expect(denied.output).toMatch(/subscri.*denied|refused|failed/i);
    const receiving = mosquitto('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-i', 'S1', '-u', 'S1', '-P', 'secret-S1', '-t', 'alarms/residential/#', '-C', '1', '-W', '5', '-v']);
    await vi.waitFor(() => expect(Object.keys((tb!.broker.aedes as unknown as { clients: object }).clients)).toContain('S1'));
    await new Promise((r) => setTimeout(r, 200));
    await tb.broker.publish('alarms/residential/CUST1/M1', '{"rule":"V1"}', 1);
    expect(await receiving).toEqual({ code: 0, output: 'alarms/residential/CUST1/M1 {"rule":"V1"}\n' });
  });
});
