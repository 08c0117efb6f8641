import { connect } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { prng } from '../support/load-publisher.js';
import { startTestService, type TestService } from '../support/service.js';
import { FAULT_LONG, sleep } from './support.js';

const CONNECTIONS = FAULT_LONG ? 5_000 : 300;

const connectPacket = (clientId: string) =>
  mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 30 });
const publishPacket = (qos: 0 | 1) =>
  mqttPacket.generate({ cmd: 'publish', topic: 'meters/FZ001/load', payload: Buffer.from('{"ts":1,"p":1}'), qos, messageId: qos ? 7 : undefined, retain: false, dup: false });

/** Hostile byte streams, each as it would arrive on one TCP connection. */
const ATTACKS: Record<string, (rand: () => number, id: string) => Buffer> = {
  garbage: (rand) => Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))),
  publishBeforeConnect: () => publishPacket(1),
  truncatedConnect: (rand, id) => {
    const p = connectPacket(id);
    return p.subarray(0, 1 + Math.floor(rand() * (p.length - 1)));
  },
  truncatedPublish: (rand, id) => {
    const p = publishPacket(1);
    return Buffer.concat([connectPacket(id), p.subarray(0, 1 + Math.floor(rand() * (p.length - 1)))]);
  },
  // Five continuation bytes: a remaining length longer than MQTT allows [MQTT-2.2.3].
  badRemainingLength: (_rand, id) => Buffer.concat([connectPacket(id), Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x7f])]),
  // A remaining length promising far more than is sent, then silence.
  hugeRemainingLength: (_rand, id) => Buffer.concat([connectPacket(id), Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x05])]),
  qos3: (_rand, id) => {
    const p = Buffer.from(publishPacket(1));
    p[0] = 0x36; // PUBLISH with both QoS bits set [MQTT-3.3.1-4]
    return Buffer.concat([connectPacket(id), p]);
  },
  secondConnect: (_rand, id) => Buffer.concat([connectPacket(id), connectPacket(id)]),
  mutatedConnect: (rand, id) => {
    const p = Buffer.from(connectPacket(id));
    for (let i = 0; i < 3; i++) p[Math.floor(rand() * p.length)] = Math.floor(rand() * 256);
    return p;
  },
};

describe('MQTT packet fuzzing over raw TCP', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it(`keeps serving a well-behaved client while ${CONNECTIONS} connections send malformed packets`, async () => {
    service = await startTestService('pglite');
    const port = service.svc.mqttPort;
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const rand = prng(seed);

    const control = await mqtt.connectAsync(service.mqttUrl, { clientId: `control-${process.pid}`, reconnectPeriod: 0 });
    let controlClosed = false;
    control.on('close', () => (controlClosed = true));
    let sent = 0;
    let acked = 0;
    let lastAckMs = Date.now();
    let maxGapMs = 0;
    let fuzzing = true;
    const controlLoop = (async () => {
      while (fuzzing) {
        sent++;
        await control.publishAsync('meters/CONTROL1/load', JSON.stringify({ ts: Date.now(), p: 1 }), { qos: 1 });
        acked++;
        maxGapMs = Math.max(maxGapMs, Date.now() - lastAckMs);
        lastAckMs = Date.now();
        await sleep(20);
      }
    })();

    const names = Object.keys(ATTACKS);
    const used = new Map<string, number>();
    const startedMs = Date.now();
    for (let i = 0; i < CONNECTIONS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const name = names[Math.floor(rand() * names.length)];
          used.set(name, (used.get(name) ?? 0) + 1);
          const bytes = ATTACKS[name](rand, `fuzz-${i + j}`);
          return new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
            socket.on('error', () => undefined);
            socket.on('close', () => resolve());
            // Whatever the broker did not close itself goes after a moment (a slowloris would stay longer).
            setTimeout(() => socket.destroy(), 50 + rand() * 150);
          });
        }),
      );
    }
    const fuzzMs = Date.now() - startedMs;
    fuzzing = false;
    await controlLoop;

    expect(controlClosed, `control client kept its connection (seed ${seed})`).toBe(false);
    expect(acked).toBe(sent);
    expect(acked).toBeGreaterThan(10);
    expect(maxGapMs, `longest wait for a PUBACK (seed ${seed})`).toBeLessThan(2_000);
    const health = await fetch(`${service.base}/healthz`);
    expect(health.status).toBe(200);
    // The broker still accepts a new, well-formed client.
    const late = await mqtt.connectAsync(service.mqttUrl, { clientId: `late-${process.pid}`, reconnectPeriod: 0 });
    await late.publishAsync('meters/CONTROL1/load', JSON.stringify({ ts: Date.now(), p: 2 }), { qos: 1 });
    await late.endAsync();
    await control.endAsync();
    console.info(`[packet fuzz seed=${seed}] ${CONNECTIONS} hostile connections in ${fuzzMs} ms (${JSON.stringify(Object.fromEntries(used))}); control: ${acked} PUBACKs, longest gap ${maxGapMs} ms`);
  }, 60_000);
});
