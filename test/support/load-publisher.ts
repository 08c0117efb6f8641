import mqtt from 'mqtt';

export const QUARTER_MS = 15 * 60_000;

export interface LoadSample {
  meterId: string;
  tsMs: number;
  pKw: number;
}

/** Key of a stored row: the telemetry tables are keyed by (meter, ts). */
export const sampleKey = (meterId: string, tsMs: number) => `${meterId}@${tsMs}`;

/** A deterministic PRNG (mulberry32), so a failing run can be repeated from its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * perMeter quarter-hour load samples for each meter, stepping back from the last whole quarter
 * before nowMs (so none is in the future), with a value unique to (meter, step).
 */
export function loadPlan(meterIds: string[], perMeter: number, nowMs: number): LoadSample[] {
  const lastQuarterMs = Math.floor(nowMs / QUARTER_MS) * QUARTER_MS - QUARTER_MS;
  const out: LoadSample[] = [];
  for (let step = 0; step < perMeter; step++) {
    meterIds.forEach((meterId, m) => out.push({ meterId, tsMs: lastQuarterMs - step * QUARTER_MS, pKw: m * 1000 + step + 0.25 }));
  }
  return out;
}

export interface PublishRun {
  /** Keys of every sample whose PUBLISH was handed to a client (acked or not). */
  sent: Set<string>;
  /** Keys of every sample whose PUBACK arrived. */
  acked: Set<string>;
  /** No new PUBLISH after this call; samples in flight may still be acked. */
  halt(): void;
  /** Resolves when every worker has finished (all acked, or halted and settled). */
  done: Promise<void>;
  /** Closes every connection at once, failing what is still in flight. */
  close(): Promise<void>;
}

export interface PublishOptions {
  url: string;
  samples: LoadSample[];
  clients: number;
  /** QoS 1 messages in flight per client. */
  window: number;
  /** Called after each PUBACK with the number acknowledged so far. */
  onAck?: (ackedCount: number, run: PublishRun) => void;
}

/**
 * Publishes each sample as its own QoS 1 message on meters/{id}/load over several real MQTT
 * connections, recording what was sent and what was acknowledged.
 */
export async function publishLoad(options: PublishOptions): Promise<PublishRun> {
  const { url, samples, clients, window, onAck } = options;
  const sent = new Set<string>();
  const acked = new Set<string>();
  let halted = false;
  const connections = await Promise.all(
    Array.from({ length: clients }, (_, c) => mqtt.connectAsync(url, { clientId: `durability-${c}-${process.pid}`, reconnectPeriod: 0, clean: true })),
  );
  const queues = connections.map((_, c) => samples.filter((_, i) => i % clients === c));

  const run: PublishRun = {
    sent,
    acked,
    halt: () => (halted = true),
    done: Promise.resolve(),
    async close() {
      halted = true;
      await Promise.all(connections.map((c) => c.endAsync(true).catch(() => undefined)));
    },
  };
  const workers = connections.flatMap((client, c) => {
    const queue = queues[c];
    let next = 0;
    return Array.from({ length: window }, async () => {
      while (!halted && next < queue.length) {
        const s = queue[next++];
        const key = sampleKey(s.meterId, s.tsMs);
        sent.add(key);
        try {
          await client.publishAsync(`meters/${s.meterId}/load`, JSON.stringify({ ts: s.tsMs, p: s.pKw }), { qos: 1 });
        } catch {
          return; // the connection is gone: nothing more goes out on it
        }
        acked.add(key);
        onAck?.(acked.size, run);
      }
    });
  });

  run.done = Promise.all(workers).then(() => undefined);
  return run;
}
