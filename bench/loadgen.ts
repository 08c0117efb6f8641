/**
 * The load generator, run as its own process so its CPU is not the service's. Raw TCP sockets and
 * packets encoded once by mqtt-packet; per message only the 13 ts digits and the packet id are
 * patched. Commands arrive as JSON lines on stdin, events leave as JSON lines on stdout.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import mqttPacket from 'mqtt-packet';
import { QUARTER_MS, TS_PLACEHOLDER, type Sender } from './workload.js';

interface Prepared {
  packet: Buffer;
  idOffset: number;
  tsOffsets: number[];
  samples: number;
}

interface Conn {
  socket: Socket;
  templates: Prepared[];
  next: number;
  step: number;
  inflight: number;
  nextId: number;
  samplesById: Uint16Array;
  leftover: Buffer | null;
}

type Command =
  | { cmd: 'connect'; host: string; port: number; sendersFile?: string; idle?: number; window: number; subscribe?: string }
  | { cmd: 'run'; seconds: number; ratePerSec: number; startTsMs: number }
  | { cmd: 'exit' };

const conns: Conn[] = [];
const idleSockets: Socket[] = [];
let windowSize = 1;
let running = false;
let unlimited = true;
let sent = 0;
let acked = 0;
let samplesAcked = 0;
let received = 0;
let startTsMs = 0;

const emit = (event: Record<string, unknown>) => process.stdout.write(JSON.stringify(event) + '\n');

function prepare(topic: string, payload: string, samples: number): Prepared {
  const packet = mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, messageId: 1, retain: false, dup: false });
  const topicBytes = Buffer.byteLength(topic);
  const remaining = 2 + topicBytes + 2 + Buffer.byteLength(payload);
  const idOffset = packet.length - remaining + 2 + topicBytes;
  const tsOffsets: number[] = [];
  const needle = Buffer.from(TS_PLACEHOLDER);
  for (let at = packet.indexOf(needle, idOffset); at >= 0; at = packet.indexOf(needle, at + needle.length)) tsOffsets.push(at);
  return { packet, idOffset, tsOffsets, samples };
}

function open(host: string, port: number, clientId: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 3600 })));
    socket.once('data', (chunk: Buffer) => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      // CONNACK: 0x20 0x02 flags rc; anything else means the broker refused us.
      if (chunk[0] !== 0x20 || chunk[3] !== 0) return reject(new Error(`CONNACK refused for ${clientId}: ${chunk.toString('hex')}`));
      resolve(chunk.length > 4 ? (socket.unshift(chunk.subarray(4)), socket) : socket);
    });
  });
}

function onData(conn: Conn, chunk: Buffer): void {
  const data = conn.leftover ? Buffer.concat([conn.leftover, chunk]) : chunk;
  let at = 0;
  // A publisher only ever receives PUBACKs here: 0x40 0x02 idHi idLo [MQTT-3.4].
  while (at + 4 <= data.length) {
    if (data[at] === 0x40) {
      const id = data.readUInt16BE(at + 2);
      conn.inflight--;
      acked++;
      samplesAcked += conn.samplesById[id];
    }
    at += 2 + data[at + 1];
  }
  conn.leftover = at < data.length ? Buffer.from(data.subarray(at)) : null;
  if (running && unlimited) pump(conn, Infinity);
}

/** Sends up to budget messages on conn within its window; returns how many went out. */
function pump(conn: Conn, budget: number): number {
  let n = 0;
  if (conn.inflight >= windowSize || conn.templates.length === 0) return 0;
  conn.socket.cork();
  while (conn.inflight < windowSize && n < budget) {
    const t = conn.templates[conn.next];
    const buf = Buffer.allocUnsafe(t.packet.length);
    t.packet.copy(buf);
    const ts = String(startTsMs + conn.step * QUARTER_MS);
    for (const off of t.tsOffsets) buf.write(ts, off, 'latin1');
    const id = conn.nextId;
    conn.nextId = id === 65535 ? 1 : id + 1;
    buf.writeUInt16BE(id, t.idOffset);
    conn.samplesById[id] = t.samples;
    conn.socket.write(buf);
    conn.inflight++;
    sent++;
    n++;
    if (++conn.next === conn.templates.length) {
      conn.next = 0;
      conn.step++;
    }
  }
  conn.socket.uncork();
  return n;
}

async function connectAll(c: Extract<Command, { cmd: 'connect' }>): Promise<void> {
  windowSize = c.window;
  if (c.sendersFile) {
    const senders = JSON.parse(readFileSync(c.sendersFile, 'utf8')) as Sender[];
    for (const s of senders) {
      const socket = await open(c.host, c.port, s.clientId);
      const conn: Conn = {
        socket,
        templates: s.templates.map((t) => prepare(t.topic, t.payload, t.samples)),
        next: 0,
        step: 0,
        inflight: 0,
        nextId: 1,
        samplesById: new Uint16Array(65536),
        leftover: null,
      };
      socket.on('data', (chunk: Buffer) => onData(conn, chunk));
      conns.push(conn);
    }
  }
  if (c.subscribe) {
    const socket = await open(c.host, c.port, `bench-sub-${process.pid}`);
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: c.subscribe, qos: 0 }] }));
    idleSockets.push(socket);
  }
  // Idle devices connect a few hundred at a time so the listen backlog never overflows.
  for (let i = 0; i < (c.idle ?? 0); i += 250) {
    const batch = Array.from({ length: Math.min(250, c.idle! - i) }, (_, k) => open(c.host, c.port, `idle-${process.pid}-${i + k}`));
    idleSockets.push(...(await Promise.all(batch)));
  }
  emit({ ev: 'connected', senders: conns.length, idle: idleSockets.length });
}

async function run(c: Extract<Command, { cmd: 'run' }>): Promise<void> {
  for (const conn of conns) conn.step = 0;
  startTsMs = c.startTsMs;
  unlimited = c.ratePerSec <= 0;
  running = true;
  const begin = { sent, acked, samplesAcked, received, at: performance.now() };
  let allowance = 0;
  let last = performance.now();
  let rr = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    if (unlimited) {
      for (const conn of conns) pump(conn, Infinity);
    } else {
      allowance = Math.min(allowance + ((now - last) / 1000) * c.ratePerSec, c.ratePerSec * 0.05 + 1);
      for (let tried = 0; tried < conns.length && allowance >= 1; tried++) {
        allowance -= pump(conns[rr], Math.min(Math.floor(allowance), Math.max(1, Math.ceil(c.ratePerSec / conns.length / 50))));
        rr = (rr + 1) % conns.length;
      }
    }
    last = now;
  }, 5);
  const progress = setInterval(() => emit({ ev: 'progress', sent: sent - begin.sent, acked: acked - begin.acked, samplesAcked: samplesAcked - begin.samplesAcked }), 1000);
  await new Promise((r) => setTimeout(r, c.seconds * 1000));
  running = false;
  clearInterval(tick);
  clearInterval(progress);
  const elapsedMs = performance.now() - begin.at;
  const inflightDeadline = Date.now() + 10_000;
  while (conns.some((x) => x.inflight > 0) && Date.now() < inflightDeadline) await new Promise((r) => setTimeout(r, 20));
  const maxStep = Math.max(0, ...conns.map((x) => x.step));
  emit({
    ev: 'done',
    elapsedMs,
    sent: sent - begin.sent,
    acked: acked - begin.acked,
    samplesAcked: samplesAcked - begin.samplesAcked,
    receivedBytes: received - begin.received,
    unacked: conns.reduce((n, x) => n + x.inflight, 0),
    lastTsMs: startTsMs + maxStep * QUARTER_MS,
  });
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const c = JSON.parse(line) as Command;
  const task = c.cmd === 'connect' ? connectAll(c) : c.cmd === 'run' ? run(c) : Promise.resolve(process.exit(0));
  task.catch((err: Error) => {
    emit({ ev: 'error', message: err.message });
    process.exit(1);
  });
});
lines.on('close', () => process.exit(0));
