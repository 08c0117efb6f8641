/** Plays a fleet over MQTT on an accelerated clock that never runs ahead of the real one. */
import { planAnomalies, type AnomalyEvent, type AnomalyName } from './anomalies.js';
import { ceilToStepMs, defaultStartMs, simulatedNowMs, stepDueAtMs } from './clock.js';
import { closeConnections, openConnections, type ConnectionEvent } from './connections.js';
import { CurveGenerator } from './curves.js';
import { createFleet, type Fleet } from './fleet.js';
import { STEP_MS, isoLocal } from './local-time.js';
import { senderIds, sendersOf, stepMessages } from './messages.js';

export interface SimulationOptions {
  meters: number;
  concentrators: number;
  seed: number | string;
  directMeters?: number;
  /** Simulated seconds per real second until the run catches up with now. */
  speed: number;
  anomalies?: readonly AnomalyName[];
  /** First simulated instant (rounded up to 15 min); default local midnight of yesterday. */
  startMs?: number;
  /** Stop after this many steps, this much real time, or at this simulated instant; whichever comes first. */
  steps?: number;
  durationMs?: number;
  untilMs?: number;
  qos?: 0 | 1 | 2;
  mqttUrl?: string;
  username?: string;
  password?: string;
  /** Device id -> secret: those senders connect as themselves instead of with username/password. */
  credentials?: ReadonlyMap<string, string>;
  clientIdPrefix?: string;
  /** Prepended to every topic; lets tests share a broker. */
  topicPrefix?: string;
  onProgress?: (stats: SimulationStats) => void;
  onEvent?: (event: ConnectionEvent) => void;
}

export interface SimulationPlan {
  fleet: Fleet;
  startMs: number;
  events: AnomalyEvent[];
}

export interface SimulationStats {
  steps: number;
  messages: number;
  samples: number;
  /** Timestamp of the last published step, or null before the first. */
  lastTs: string | null;
}

export function planSimulation(options: SimulationOptions, nowMs = Date.now()): SimulationPlan {
  const fleet = createFleet({ meters: options.meters, concentrators: options.concentrators, seed: options.seed, directMeters: options.directMeters });
  const startMs = ceilToStepMs(options.startMs ?? defaultStartMs(nowMs));
  return { fleet, startMs, events: planAnomalies(fleet, options.anomalies ?? [], startMs) };
}

export async function runSimulation(options: SimulationOptions, signal?: AbortSignal, plan = planSimulation(options)): Promise<SimulationStats> {
  const { fleet, startMs, events } = plan;
  const senders = sendersOf(fleet);
  const topicPrefix = options.topicPrefix ?? '';
  const connections = await openConnections(
    senderIds(fleet, senders),
    { mqttUrl: options.mqttUrl ?? process.env.MQTT_URL ?? 'mqtt://localhost:1883', username: options.username, password: options.password, credentials: options.credentials, clientIdPrefix: options.clientIdPrefix ?? '', topicPrefix, onEvent: options.onEvent },
    signal,
  );
  const generator = new CurveGenerator(fleet, events);
  const stats: SimulationStats = { steps: 0, messages: 0, samples: 0, lastTs: null };
  const realStartMs = Date.now();
  const qos = options.qos ?? 1;
  try {
    for (let stepMs = startMs; !finished(options, stats, stepMs, realStartMs, signal); stepMs += STEP_MS) {
      const deadlineMs = options.durationMs === undefined ? Infinity : realStartMs + options.durationMs;
      await sleepUntil(Math.min(stepDueAtMs(stepMs, startMs, realStartMs, options.speed), deadlineMs), signal);
      if (signal?.aborted || (options.durationMs !== undefined && Date.now() - realStartMs >= options.durationMs)) break;
      // Guard the invariant the service relies on, whatever the sleep did.
      if (stepMs > simulatedNowMs(startMs, realStartMs, Date.now(), options.speed)) throw new Error(`step ${isoLocal(stepMs)} would be in the future`);
      const messages = stepMessages(senders, generator.step(stepMs), topicPrefix);
      await Promise.all(messages.map((m) => connections.get(m.sender)!.client.publishAsync(m.topic, m.payload, { qos })));
      stats.steps += 1;
      stats.messages += messages.length;
      stats.samples += messages.reduce((s, m) => s + m.samples, 0);
      stats.lastTs = isoLocal(stepMs);
      options.onProgress?.({ ...stats });
    }
  } finally {
    await closeConnections(connections, topicPrefix);
  }
  return stats;
}

function finished(options: SimulationOptions, stats: SimulationStats, stepMs: number, realStartMs: number, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (options.steps !== undefined && stats.steps >= options.steps) return true;
  if (options.untilMs !== undefined && stepMs > options.untilMs) return true;
  return options.durationMs !== undefined && Date.now() - realStartMs >= options.durationMs;
}

/** Sleeps in short slices so that an abort or the end of the real duration stops the run promptly. */
async function sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
  while (!signal?.aborted && Date.now() < atMs) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, atMs - Date.now())));
  }
}
