import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { ceilToStepMs } from './clock.js';
import { STEP_MS } from './local-time.js';
import { runSimulation } from './publisher.js';

// A broker we can kill and bring back on the same port (Mosquitto is shared and must stay up).
async function startBroker(port: number, onPublish: (topic: string, clientId: string) => void): Promise<{ server: Server; sockets: Set<Socket>; close(): Promise<void> }> {
  const aedes = await Aedes.createBroker();
  aedes.on('publish', (packet, client) => client && onPublish(packet.topic, client.id));
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

describe('runSimulation reconnects', () => {
  const brokers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const b of brokers.splice(0)) await b.close().catch(() => undefined);
  });

  it('keeps one connection per concentrator (client id = its id) and delivers every step across a broker restart', async () => {
    const seen: { topic: string; clientId: string; broker: number }[] = [];
    const first = await startBroker(0, (topic, clientId) => seen.push({ topic, clientId, broker: 1 }));
    brokers.push(first);
    const port = (first.server.address() as AddressInfo).port;
    const steps = 12;
    const startMs = ceilToStepMs(Date.now() - 6 * 3_600_000);
    // Speed 3600: one step every 250 ms, so the restart falls in the middle of the run.
    const run = runSimulation({ meters: 30, concentrators: 3, seed: 4, speed: 3600, startMs, steps, mqttUrl: `mqtt://127.0.0.1:${port}` });
    await new Promise((r) => setTimeout(r, 900));
    await first.close();
    await new Promise((r) => setTimeout(r, 300));
    brokers.push(await startBroker(port, (topic, clientId) => seen.push({ topic, clientId, broker: 2 })));
    const stats = await run;

    expect(stats.steps).toBe(steps);
    const loads = seen.filter((s) => s.topic.endsWith('/load'));
    for (const c of ['C0001', 'C0002', 'C0003']) {
      const mine = loads.filter((s) => s.topic === `concentrators/${c}/load`);
      // QoS 1: a message in flight at the restart may arrive twice, never not at all.
      expect(mine.length).toBeGreaterThanOrEqual(steps);
      expect(new Set(mine.map((s) => s.clientId))).toEqual(new Set([c]));
    }
    // The restart really fell inside the run.
    expect(loads.some((s) => s.broker === 1)).toBe(true);
    expect(loads.some((s) => s.broker === 2)).toBe(true);
    expect(stats.lastTs).not.toBeNull();
    expect(Date.parse(stats.lastTs!)).toBe(startMs + (steps - 1) * STEP_MS);
  });
});
