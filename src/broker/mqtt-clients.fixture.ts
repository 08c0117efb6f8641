import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';

/** Connects with mqtt.js: the client when accepted, else the CONNACK return code it was refused with. */
export async function connectMqtt(url: string, options: IClientOptions): Promise<MqttClient | number> {
  try {
    return await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

/** Runs Debian's mosquitto_pub or mosquitto_sub: its exit code and what it printed. */
export function mosquitto(tool: 'mosquitto_pub' | 'mosquitto_sub', args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(tool, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** A raw TCP connection that records what it receives and when it is closed. */
export interface RawClient {
  socket: Socket;
  received: Buffer[];
  closed: Promise<void>;
  isClosed(): boolean;
}

export async function rawConnect(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received: Buffer[] = [];
  let isClosed = false;
  socket.on('data', (d) => received.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  return { socket, received, closed, isClosed: () => isClosed };
}

/** A CONNECT packet whose client id (and username, if given) are exactly these bytes. */
export function connectBytes(clientId: Buffer, keepalive = 30, username?: Buffer, password?: Buffer): Buffer {
  const body: Buffer[] = [Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([4, (username ? 0x80 : 0) | (password ? 0x40 : 0) | 0x02, keepalive >> 8, keepalive & 0xff])];
  for (const field of [clientId, username, password]) if (field) body.push(Buffer.from([field.length >> 8, field.length & 0xff]), field);
  return withFixedHeader(0x10, Buffer.concat(body));
}

/** A QoS 0 PUBLISH whose topic is exactly these bytes. */
export function publishBytes(topic: Buffer, payload: Buffer): Buffer {
  return withFixedHeader(0x30, Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 0xff]), topic, payload]));
}

function withFixedHeader(type: number, body: Buffer): Buffer {
  const length: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([type, ...length]), body]);
}

/** The CONNACK return code among the bytes received, if a CONNACK came. */
export function connackCode(received: Buffer[]): number | undefined {
  const all = Buffer.concat(received);
  return all[0] === 0x20 ? all[3] : undefined;
}

export const subscribePacket = (topic: string) => mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] });
