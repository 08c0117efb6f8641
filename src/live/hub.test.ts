import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { LiveHub } from './hub.js';

/** Every meter belongs to one KEY customer; the hub only reads the customer's id and classes. */
const archive = {
  get: (meterId: string) => ({ meter: { id: meterId }, customer: { id: `C-${meterId}`, classes: ['KEY'] } }) as unknown as MeterContext,
};

const load = (meterId: string, tsMs: number, p: number, pad = ''): AnySample =>
  ({ kind: 'load', meterId, tsMs, values: { p, q: 0, pf: 1, pad }, multiplier: 1 }) as unknown as AnySample;

interface Received { type: string; items?: { meterId: string; values: { p: number } }[]; meterId?: string; values?: { p: number } }

async function open(url: string, sub: object): Promise<{ ws: WebSocket; messages: Received[]; atMs: number[] }> {
  const ws = new WebSocket(url);
  const messages: Received[] = [];
  const atMs: number[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Received);
    atMs.push(Date.now());
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ op: 'subscribe', ...sub }));
  await new Promise<void>((resolve) => {
    const check = () => (messages.some((m) => m.type === 'subscribed') ? resolve() : setTimeout(check, 5));
    check();
  });
  return { ws, messages, atMs };
}

describe('LiveHub', () => {
  let server: Server;
  let hub: LiveHub;
  const sockets: WebSocket[] = [];

  async function start(options: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}): Promise<string> {
    hub = new LiveHub({ archive, log: createLogger('silent'), metrics: createMetrics(), ...options });
    server = createServer();
    hub.attach(server, async () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  }

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await hub?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('coalesces samples into one message per flush for batched clients and keeps one message per sample for the others', async () => {
    const url = await start({ flushIntervalMs: 200 });
    const batched = await open(`${url}?batch=1`, { meters: ['M1'] });
    const single = await open(url, { meters: ['M1'] });
    sockets.push(batched.ws, single.ws);
    for (let i = 0; i < 30; i++) hub.publishSamples([load('M1', i * 900_000, i)]);
    await expect.poll(() => batched.messages.filter((m) => m.type === 'samples').flatMap((m) => m.items!).length).toBe(30);
    const batches = batched.messages.filter((m) => m.type === 'samples');
    expect(batches.length).toBe(1);
    expect(batches[0].items!.map((s) => s.values.p)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(batches[0].items![0]).toMatchObject({ meterId: 'M1', customerId: 'C-M1', kind: 'load', ts: 0 });
    await expect.poll(() => single.messages.filter((m) => m.type === 'sample').length).toBe(30);
    expect(single.messages.find((m) => m.type === 'sample')).toMatchObject({ type: 'sample', meterId: 'M1', ts: 0, values: { p: 0 } });
  });

  it('sends each client the samples of the meters, customers and classes it subscribed to, and no others', async () => {
    const url = await start();
    // Everyone also follows M9, published last: once it arrives, whatever came before it on that socket has too.
    const subscriptions = { meter: { meters: ['M1', 'M9'] }, customer: { customers: ['C-M2', 'C-M9'] }, cls: { classes: ['KEY'] }, fence: { meters: ['M9'] } };
    const clients = Object.fromEntries(await Promise.all(Object.entries(subscriptions).map(async ([name, sub]) => [name, await open(url, sub)] as const)));
    sockets.push(...Object.values(clients).map((c) => c.ws));
    hub.publishSamples([load('M1', 0, 1), load('M2', 0, 2), load('M3', 0, 3)]);
    hub.publishSamples([load('M9', 0, 9)]);
    const received = (name: string) => clients[name].messages.filter((m) => m.type === 'sample').map((m) => m.meterId);
    await expect.poll(() => Object.keys(subscriptions).map(received)).toEqual([['M1', 'M9'], ['M2', 'M9'], ['M1', 'M2', 'M3', 'M9'], ['M9']]);
  });

  it('cuts off a client that stopped reading within a bounded time while 50 others keep their latency', async () => {
    const url = await start({ maxBufferedBytes: 256 * 1024, maxStallMs: 3_000 });
    const normal = await Promise.all(Array.from({ length: 50 }, () => open(`${url}?batch=1`, { meters: ['LIGHT'] })));
    // The stalled client also watches a heavy stream so its unread backlog outgrows the kernel's socket buffers quickly.
    const heavyMeters = Array.from({ length: 40 }, (_, i) => `HEAVY${i}`);
    const stalled = await open(`${url}?batch=1`, { meters: ['LIGHT', ...heavyMeters] });
    sockets.push(...normal.map((c) => c.ws), stalled.ws);
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const pad = 'x'.repeat(1200);
    const stalledAtMs = Date.now();
    let cutOffAfterMs: number | null = null;
    let tick = 0;
    while (Date.now() - stalledAtMs < 25_000) {
      hub.publishSamples([load('LIGHT', tick * 1000, Date.now()), ...heavyMeters.map((m) => load(m, tick * 1000, 0, pad))]);
      tick++;
      if (cutOffAfterMs === null && hub.clientCount === 50) cutOffAfterMs = Date.now() - stalledAtMs;
      if (cutOffAfterMs !== null && Date.now() - stalledAtMs > cutOffAfterMs + 2_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const lastPublishedMs = Date.now();
    await new Promise((r) => setTimeout(r, 600));
    console.log(`stalled client cut off after ${cutOffAfterMs} ms (${tick} ticks)`);
    expect(cutOffAfterMs, 'the stalled client was cut off').not.toBeNull();
    expect(cutOffAfterMs!).toBeLessThan(20_000);

    const latencies: number[] = [];
    for (const c of normal) {
      expect(c.ws.readyState).toBe(WebSocket.OPEN);
      c.messages.forEach((m, i) => m.items?.forEach((s) => latencies.push(c.atMs[i] - s.values.p)));
      // Still receiving at the end: the last sample published reached every normal client.
      const lastP = Math.max(...c.messages.flatMap((m) => m.items?.map((s) => s.values.p) ?? [0]));
      expect(lastPublishedMs - lastP).toBeLessThan(200);
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    console.log(`normal clients: ${latencies.length} samples, median ${latencies[latencies.length >> 1]} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms`);
    expect(latencies.length).toBe(50 * tick);
    // Flushed every 250 ms: a sample waits at most one interval, plus scheduling on a busy machine.
    expect(p99).toBeLessThan(1_000);
  }, 45_000);
});
