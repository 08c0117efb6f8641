import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from './packet-size-guard.js';

const publish = (payloadBytes: number) =>
  mqttPacket.generate({ cmd: 'publish', topic: 'meters/M1/load', payload: Buffer.alloc(payloadBytes), qos: 0, retain: false, dup: false });
const ping = mqttPacket.generate({ cmd: 'pingreq' });
const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'M1', keepalive: 30 });

/** Feeds the stream in pieces of `piece` bytes; the first verdict other than 'ok', else 'ok'. */
function run(max: number, stream: Buffer, piece: number): string {
  const guard = new PacketSizeGuard(max);
  for (let i = 0; i < stream.length; i += piece) {
    const verdict = guard.feed(stream.subarray(i, i + piece));
    if (verdict !== 'ok') return verdict;
  }
  return 'ok';
}

const MAX = 1024;
// publish(n) is n + 19 bytes: type (1), remaining length (2 above 127), topic length (2), topic (14).
const exactly = publish(MAX - 19);

describe('PacketSizeGuard', () => {
  it.each([
    ['connect, pings and a small publish', Buffer.concat([connect, ping, publish(100), ping]), 'ok'],
    ['a publish of exactly the limit', Buffer.concat([connect, exactly, ping]), 'ok'],
    ['a publish one byte over', Buffer.concat([connect, publish(MAX - 18)]), 'too_large'],
    ['a large publish after good ones', Buffer.concat([connect, publish(10), publish(10), publish(MAX * 10)]), 'too_large'],
    ['a header that only announces a huge body', Buffer.concat([connect, Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])]), 'too_large'],
    ['five remaining-length bytes', Buffer.concat([connect, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])]), 'malformed'],
    ['zero-length packets back to back', Buffer.concat([ping, ping, ping, publish(3)]), 'ok'],
  ])('%s', (_name, stream, expected) => {
    for (const piece of [1, 2, 3, 7, 64, stream.length]) expect(run(MAX, stream, piece), `in pieces of ${piece}`).toBe(expected);
  });

  it('refuses at the header, before the body has arrived', () => {
    const big = publish(MAX * 4);
    expect(new PacketSizeGuard(MAX).feed(big.subarray(0, 4))).toBe('too_large');
  });
});
