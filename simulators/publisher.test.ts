import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ceilToStepMs } from './clock.js';
import { CurveGenerator } from './curves.js';
import { STEP_MS } from './local-time.js';
import { sendersOf, stepMessages } from './messages.js';
import { planSimulation, runSimulation, type SimulationOptions } from './publisher.js';

// The machine's Mosquitto; a unique topic prefix keeps parallel runs apart.
const MQTT_URL = 'mqtt://127.0.0.1:1883';

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  atMs: number;
}

describe('runSimulation against Mosquitto', () => {
  let prefix: string;
  let subscriber: MqttClient;
  let received: Received[];

  beforeEach(async () => {
    prefix = `lwsim-${randomUUID().slice(0, 8)}/`;
    received = [];
    subscriber = await mqtt.connectAsync(MQTT_URL, { clientId: `sub-${prefix.slice(0, -1)}` });
    subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain, atMs: Date.now() }));
    await subscriber.subscribeAsync(`${prefix}#`, { qos: 1 });
  });

  afterEach(async () => {
    // Retained status messages would outlive the test: clear them.
    for (const topic of new Set(received.filter((r) => r.topic.endsWith('/status')).map((r) => r.topic))) await subscriber.publishAsync(topic, '', { qos: 1, retain: true });
    await subscriber.endAsync();
  });

  const options = (extra: Partial<SimulationOptions>): SimulationOptions => ({
    meters: 60, concentrators: 2, directMeters: 2, seed: 9, speed: 1e6, mqttUrl: MQTT_URL, topicPrefix: prefix, clientIdPrefix: prefix.replace('/', '-'), anomalies: ['over-voltage'], ...extra,
  });

  const waitFor = async (predicate: () => boolean, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (!predicate() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  };

  it('publishes per concentrator and per direct meter exactly the generated steps, with status online then offline', async () => {
    const opts = options({ startMs: Date.parse('2026-01-05T00:00:00+08:00'), steps: 3 });
    const plan = planSimulation(opts);
    const stats = await runSimulation(opts, undefined, plan);

    const generator = new CurveGenerator(plan.fleet, plan.events);
    const senders = sendersOf(plan.fleet);
    const expected = [0, 1, 2].flatMap((i) => stepMessages(senders, generator.step(plan.startMs + i * STEP_MS), prefix));
    // Midnight step: 4 kinds; then 3 kinds each; for 2 concentrators and 2 direct meters.
    expect(expected).toHaveLength(4 * 4 + 2 * 3 * 4);
    await waitFor(() => received.filter((r) => !r.topic.endsWith('/status')).length >= expected.length);

    const data = received.filter((r) => !r.topic.endsWith('/status'));
    expect(data.map((r) => [r.topic, r.payload]).sort()).toEqual(expected.map((m) => [m.topic, m.payload]).sort());
    expect(stats).toMatchObject({ steps: 3, messages: expected.length, samples: 60 * 4 + 2 * 60 * 3, lastTs: '2026-01-05T00:30:00+08:00' });
    expect(data.some((r) => r.topic === `${prefix}concentrators/C0001/reading`)).toBe(true);
    const direct = plan.fleet.meters.find((m) => m.concentratorId === null)!;
    const sample = JSON.parse(data.find((r) => r.topic === `${prefix}meters/${direct.id}/load`)!.payload);
    expect(sample).not.toHaveProperty('meter');
    expect(sample).toHaveProperty('p');

    await waitFor(() => received.filter((r) => r.topic === `${prefix}concentrators/C0002/status`).length >= 2);
    const status = received.filter((r) => r.topic === `${prefix}concentrators/C0001/status`).map((r) => r.payload);
    expect(status[0]).toBe('online');
    expect(status.at(-1)).toBe('offline');
  });

  it('fast-forwards to now and then never publishes a timestamp ahead of the real clock', async () => {
    const startMs = ceilToStepMs(Date.now() - 50 * 60_000);
    const stats = await runSimulation(options({ startMs, durationMs: 1500 }));
    const due = Math.floor((Date.now() - startMs) / STEP_MS) + 1;
    // Every step up to now, and none after, within the 1.5 s of the run.
    expect(stats.steps).toBeGreaterThanOrEqual(due - 1);
    expect(stats.steps).toBeLessThanOrEqual(due);
    await waitFor(() => received.filter((r) => r.topic.endsWith('/load')).length >= stats.steps * 4);
    const loads = received.filter((r) => r.topic.endsWith('/load'));
    expect(loads.length).toBe(stats.steps * 4);
    for (const r of loads) {
      const body = JSON.parse(r.payload);
      for (const s of body.records ?? [body]) expect(Date.parse(s.ts)).toBeLessThanOrEqual(r.atMs);
    }
  });

  it('keeps the status retained while running, for a subscriber that comes late', async () => {
    const abort = new AbortController();
    const run = runSimulation(options({ startMs: ceilToStepMs(Date.now() - 20 * 60_000), durationMs: 20_000 }), abort.signal);
    await waitFor(() => received.some((r) => r.topic.endsWith('/load')));
    const late = await mqtt.connectAsync(MQTT_URL, { clientId: `late-${prefix.slice(0, -1)}` });
    const statuses: { payload: string; retain: boolean }[] = [];
    late.on('message', (_t, payload, packet) => statuses.push({ payload: payload.toString(), retain: packet.retain }));
    await late.subscribeAsync(`${prefix}concentrators/C0001/status`, { qos: 1 });
    await waitFor(() => statuses.length > 0, 3000);
    abort.abort();
    await run;
    await late.endAsync();
    expect(statuses[0]).toEqual({ payload: 'online', retain: true });
  });
});
