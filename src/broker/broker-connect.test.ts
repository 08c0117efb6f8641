import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestBroker, type TestBroker } from './broker.fixture.js';
import { connackCode, connectBytes, connectMqtt, mosquitto, rawConnect } from './mqtt-clients.fixture.js';

let tb: TestBroker | undefined;
afterEach(async () => {
  await tb?.close();
  tb = undefined;
});

const portOf = (t: TestBroker) => String(t.broker.listening.port);
const pubArgs = (t: TestBroker, extra: string[]) => ['-h', '127.0.0.1', '-p', portOf(t), '-t', 'meters/M1/load', '-m', '{}', '-q', '1', ...extra];

describe('MQTT CONNECT: who gets in', () => {
  it('refuses a client without credentials: CONNACK 5 for mqtt.js and for mosquitto_pub', async () => {
    tb = await startTestBroker();
    expect(await connectMqtt(tb.url, { clientId: 'M1' })).toBe(5);
    const m = await mosquitto('mosquitto_pub', pubArgs(tb, ['-i', 'M1']));
    expect(m.code).not.toBe(0);
    expect(m.output).toMatch(/not authori[sz]ed/i);
    expect(tb.journaled).toHaveLength(0);
    expect(tb.events.filter((e) => e.event === 'auth_failure').map((e) => e.fields.reason)).toEqual(['no_credentials', 'no_credentials']);
  });

  it('refuses a wrong secret and another device\'s secret with CONNACK 4', async () => {
    tb = await startTestBroker();
    tb.devices.add('M1', 'meter', 'secret-one');
    tb.devices.add('M2', 'meter', 'secret-two');
    expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'wrong' })).toBe(4);
    expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-two' })).toBe(4);
    expect(await connectMqtt(tb.url, { clientId: 'M9', username: 'M9', password: 'secret-one' })).toBe(4);
    const m = await mosquitto('mosquitto_pub', pubArgs(tb, ['-i', 'M1', '-u', 'M1', '-P', 'secret-two']));
    expect(m.code).not.toBe(0);
    expect(m.output).toMatch(/bad user name or password|not authori[sz]ed/i);
    expect(tb.journaled).toHaveLength(0);
    // The secret never appears in a security event.
    expect(JSON.stringify(tb.events)).not.toMatch(/secret-/);
  });

  it('accepts the device\'s own secret (mosquitto_pub), and its message reaches the journal', async () => {
    tb = await startTestBroker();
    tb.devices.add('M1', 'meter', 'secret-one');
    const m = await mosquitto('mosquitto_pub', pubArgs(tb, ['-i', 'M1', '-u', 'M1', '-P', 'secret-one']));
    expect(m).toEqual({ code: 0, output: '' });
    expect(tb.journaled.map((j) => [j.topic, j.clientId])).toEqual([['meters/M1/load', 'M1']]);
  });

  it('refuses a client id other than the credential\'s device id (CONNACK 2), so no session is taken over', async () => {
    tb = await startTestBroker();
    tb.devices.add('M1', 'meter', 'secret-one');
    tb.devices.add('M2', 'meter', 'secret-two');
    const victim = await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one' });
    if (typeof victim === 'number') throw new Error(`M1 refused with ${victim}`);
    let victimClosed = false;
    victim.on('close', () => (victimClosed = true));
    expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M2', password: 'secret-two' })).toBe(2);
    const m = await mosquitto('mosquitto_pub', pubArgs(tb, ['-i', 'M1', '-u', 'M2', '-P', 'secret-two']));
    expect(m.output).toMatch(/identifier rejected/i);
    await victim.publishAsync('meters/M1/load', '{}', { qos: 1 });
    expect(victimClosed).toBe(false);
    await victim.endAsync();
  });

  it('refuses an anonymous client (MQTT_ALLOW_ANONYMOUS=true) that uses the client id of a device with a credential', async () => {
    tb = await startTestBroker({ allowAnonymous: true });
    tb.devices.add('M1', 'meter', 'secret-one');
    const device = await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one' });
    if (typeof device === 'number') throw new Error(`M1 refused with ${device}`);
    expect(await connectMqtt(tb.url, { clientId: 'M1' })).toBe(2);
    const m = await mosquitto('mosquitto_pub', pubArgs(tb, ['-i', 'M1']));
    expect(m.output).toMatch(/identifier rejected/i);
    expect(device.connected).toBe(true);
    expect(await connectMqtt(tb.url, { clientId: 'some-tool' })).not.toBeTypeOf('number');
    await device.endAsync();
  });

  it('locks an address out after repeated failures: even the right secret then gets CONNACK 5', async () => {
    tb = await startTestBroker({ limits: { authFailuresMax: 3 } });
    tb.devices.add('M1', 'meter', 'secret-one');
    for (let i = 0; i < 3; i++) expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: `guess-${i}` })).toBe(4);
    expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one' })).toBe(5);
    const m = await mosquitto('mosquitto_pub', pubArgs(tb, ['-i', 'M1', '-u', 'M1', '-P', 'secret-one']));
    expect(m.code).not.toBe(0);
    expect(tb.events.filter((e) => e.event === 'lockout')).toHaveLength(1);
  });

  it.each([
    ['0 (never)', 0],
    ['below the minimum', 4],
    ['above the maximum', 3601],
  ])('refuses keepalive %s with CONNACK 2', async (_name, keepalive) => {
    tb = await startTestBroker();
    tb.devices.add('M1', 'meter', 'secret-one');
    expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one', keepalive })).toBe(2);
  });

  it('closes a CONNECT whose client id is not UTF-8, without a CONNACK (raw TCP)', async () => {
    tb = await startTestBroker({ allowAnonymous: true });
    const raw = await rawConnect(tb.broker.listening.port);
    raw.socket.write(connectBytes(Buffer.from([0x4d, 0xff, 0xfe, 0x31])));
    await raw.closed;
    expect(connackCode(raw.received)).toBeUndefined();
    expect(tb.events.map((e) => e.fields.reason)).toEqual(['invalid_utf8']);
  });

  it('closes a connection that sends no CONNECT within the connect timeout', async () => {
    tb = await startTestBroker({ limits: { connectTimeoutMs: 300 } });
    const raw = await rawConnect(tb.broker.listening.port);
    const started = Date.now();
    await raw.closed;
    console.info(`connect timeout 300 ms: closed after ${Date.now() - started} ms`);
    expect(raw.received).toHaveLength(0);
  });

  it('refuses connections over the per-IP rate before any MQTT is spoken', async () => {
    tb = await startTestBroker({ allowAnonymous: true, limits: { ipConnectPerSec: 1, ipConnectBurst: 3 } });
    const codes: (number | string)[] = [];
    for (let i = 0; i < 5; i++) {
      const raw = await rawConnect(tb.broker.listening.port);
      raw.socket.write(connectBytes(Buffer.from(`a${i}`)));
      await vi.waitFor(() => expect(raw.received.length > 0 || raw.isClosed()).toBe(true));
      codes.push(connackCode(raw.received) ?? 'closed');
      raw.socket.destroy();
    }
    expect(codes.slice(0, 3)).toEqual([0, 0, 0]);
    expect(codes.slice(3)).toEqual(['closed', 'closed']);
    expect(tb.events.filter((e) => e.fields.limit === 'connection_rate')).toHaveLength(1);
  });

  it('closes a live session within the revalidation period once its credential is revoked', async () => {
    tb = await startTestBroker({ limits: { revalidateMs: 1_000 } });
    tb.devices.add('M1', 'meter', 'secret-one');
    tb.devices.add('M2', 'meter', 'secret-two');
    const will = { topic: 'meters/M1/status', payload: Buffer.from('gone'), qos: 1 as const, retain: false };
    const [m1, m2] = await Promise.all(['M1', 'M2'].map((id, i) => connectMqtt(tb!.url, { clientId: id, username: id, password: ['secret-one', 'secret-two'][i], will })));
    if (typeof m1 === 'number' || typeof m2 === 'number') throw new Error('refused');
    const closedAt = new Promise<number>((resolve) => m1.once('close', () => resolve(Date.now())));
    const revokedAt = Date.now();
    tb.devices.revoke('M1');
    console.info(`revocation: session closed ${(await closedAt) - revokedAt} ms after the credential was revoked (period 1000 ms)`);
    expect(tb.events.filter((e) => e.event === 'revocation').map((e) => e.fields.deviceId)).toEqual(['M1']);
    // The revoked session's last will is not published either.
    await vi.waitFor(() => expect(tb!.quarantined.map((q) => q.topic)).toEqual(['meters/M1/status']));
    expect(tb.journaled).toHaveLength(0);
    expect(m2.connected).toBe(true);
    expect(await connectMqtt(tb.url, { clientId: 'M1', username: 'M1', password: 'secret-one' })).toBe(4);
    await m2.endAsync();
    await vi.waitFor(() => expect(m1.connected).toBe(false));
  });
});
