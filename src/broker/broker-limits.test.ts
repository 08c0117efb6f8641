import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestBroker, type TestBroker } from './broker.fixture.js';
import { connackCode, connectBytes, connectMqtt, mosquitto, rawConnect } from './mqtt-clients.fixture.js';

let tb: TestBroker | undefined;
afterEach(async () => {
  await tb?.close();
  tb = undefined;
});

describe('MQTT limits', () => {
  it('closes a connection whose PUBLISH announces more than the packet limit, before its body is sent (raw TCP)', async () => {
    tb = await startTestBroker({ allowAnonymous: true, limits: { maxPacketBytes: 64 * 1024 } });
    const raw = await rawConnect(tb.broker.listening.port);
    raw.socket.write(connectBytes(Buffer.from('big-1')));
    await vi.waitFor(() => expect(connackCode(raw.received)).toBe(0));
    // Only the fixed header of a 1 MiB PUBLISH: remaining length 1,048,576 = 0x80 0x80 0x40.
    raw.socket.write(Buffer.from([0x30, 0x80, 0x80, 0x40]));
    await raw.closed;
    expect(tb.events).toContainEqual({ event: 'limit_exceeded', fields: expect.objectContaining({ limit: 'packet_size', verdict: 'too_large', clientId: 'big-1' }) });
  });

  it('closes mqtt.js and mosquitto_pub sending 300 KiB against a 256 KiB limit; 200 KiB passes', async () => {
    tb = await startTestBroker({ limits: { maxPacketBytes: 256 * 1024 } });
    tb.devices.add('M1', 'meter', 'secret-one');
    const c = await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one' });
    if (typeof c === 'number') throw new Error(`refused ${c}`);
    await c.publishAsync('meters/M1/load', Buffer.alloc(200 * 1024, 0x41), { qos: 1 });
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('meters/M1/load', Buffer.alloc(300 * 1024, 0x41), { qos: 1 });
    await closed;
    c.end(true);

    const dir = await mkdtemp(join(tmpdir(), 'lw-big-'));
    try {
      await writeFile(join(dir, 'big'), Buffer.alloc(300 * 1024, 0x42));
      const port = String(tb.broker.listening.port);
      const m = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-i', 'M1', '-u', 'M1', '-P', 'secret-one', '-t', 'meters/M1/load', '-f', join(dir, 'big'), '-q', '1']);
      expect(m.code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(tb.journaled.map((j) => j.payload.length)).toEqual([200 * 1024]);
  });

  it('paces a device over its message rate: every message is acknowledged and journaled, none dropped', async () => {
    tb = await startTestBroker({ limits: { deviceMsgPerSec: 20 } });
    tb.devices.add('M1', 'meter', 'secret-one');
    const c = await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one' });
    if (typeof c === 'number') throw new Error(`refused ${c}`);
    const started = Date.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => c.publishAsync('meters/M1/load', `{"i":${i}}`, { qos: 1 })));
    const elapsedMs = Date.now() - started;
    expect(tb.journaled.map((j) => JSON.parse(j.payload.toString()).i)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // 20 at once (one second's burst), then 40 at 20/s: the last cannot be journaled before about 2 s.
    const spanMs = tb.journaled.at(-1)!.atMs - tb.journaled[0]!.atMs;
    console.info(`pacing 60 messages at 20/s: journaled over ${spanMs} ms, all acknowledged after ${elapsedMs} ms`);
    expect(spanMs).toBeGreaterThanOrEqual(1_900);
    await c.endAsync();
  });

  it.each([
    ['a flood: cut when its send buffer reaches the cap', 'flood', 'send_buffer_cap'],
    ['a trickle: cut once its send buffer has stayed above the bound for MQTT_SLOW_SUBSCRIBER_S', 'trickle', 'not_reading'],
  ])('disconnects a subscriber that stops reading while another keeps receiving everything; %s', async (_name, mode, reason) => {
    tb = await startTestBroker({ allowAnonymous: true, limits: { slowSubscriberMs: 1_000 } });
    const frozen = await rawConnect(tb.broker.listening.port);
    frozen.socket.write(connectBytes(Buffer.from('frozen')));
    frozen.socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'alarms/#', qos: 1 }] }));
    await vi.waitFor(() => expect(Buffer.concat(frozen.received).includes(Buffer.from([0x90, 0x03, 0x00, 0x01, 0x01]))).toBe(true));
    frozen.socket.pause();
    const clients = () => (tb!.broker.aedes as unknown as { clients: Record<string, { conn: { writableLength: number } }> }).clients;

    const healthy = await connectMqtt(tb.url, { clientId: 'healthy' });
    if (typeof healthy === 'number') throw new Error(`refused ${healthy}`);
    await healthy.subscribeAsync('alarms/#', { qos: 1 });
    let received = 0;
    healthy.on('message', () => received++);

    const payload = 'x'.repeat(32 * 1024);
    const started = Date.now();
    let published = 0;
    let slowestPublishMs = 0;
    const cutEvent = () => tb!.events.find((e) => e.fields.limit === 'slow_subscriber');
    // The paused client cannot notice the close (it reads nothing, not even the FIN): watch the broker's side.
    while (!cutEvent() && Date.now() - started < 20_000) {
      // A trickle stops adding once the frozen client's send buffer is above the 64 KiB bound.
      const batch = mode === 'flood' ? 20 : (clients().frozen?.conn.writableLength ?? 0) > 64 * 1024 ? 0 : 1;
      const t0 = Date.now();
      await Promise.all(Array.from({ length: batch }, () => tb!.broker.publish('alarms/residential/C1/M1', payload, 1)));
      slowestPublishMs = Math.max(slowestPublishMs, Date.now() - t0);
      published += batch;
      await new Promise((r) => setTimeout(r, mode === 'flood' ? 50 : 10));
    }
    const cutAfterMs = Date.now() - started;
    const cut = cutEvent();
    expect(cut?.fields).toMatchObject({ clientId: 'frozen', reason });
    // The event is recorded as the socket is destroyed; aedes drops the client from its map on the close that follows.
    await vi.waitFor(() => expect(Object.keys(clients())).toEqual(['healthy']));
    frozen.socket.resume();
    await frozen.closed;
    await vi.waitFor(() => expect(received).toBe(published), { timeout: 10_000 });
    console.info(`frozen subscriber (${mode}) cut after ${cutAfterMs} ms (${reason}); ${published} messages of 32 KiB, the slowest batch published in ${slowestPublishMs} ms; the healthy subscriber got all`);
    await healthy.endAsync();
  });
});
