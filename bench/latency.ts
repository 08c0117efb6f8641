/**
 * Scenario latency: under half the sustained batched load, one probe at a time publishes an
 * over-voltage sample for a fresh KEY meter and times publish -> row visible to the API,
 * publish -> WebSocket sample, publish -> WebSocket alarm.
 */
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { advanceCursor, drained, log, phase, round, writeSenders, type Ctx } from './context.js';
import { LoadGen } from './loadgen-client.js';
import type { ServiceChild } from './service.js';
import { percentile } from './stats.js';
import { PROBE_CONCENTRATOR, QUARTER_MS, batchedSenders } from './workload.js';

const PROBE_TIMEOUT_MS = 10_000;

export async function latency(ctx: Ctx): Promise<void> {
  const { opts, svc } = ctx;
  const senders = batchedSenders(ctx.workload.fleet);
  const samplesPerMsg = senders.flatMap((s) => s.templates).reduce((n, t, _i, all) => n + t.samples / all.length, 0);
  const backgroundPerSec = (ctx.results.batchedSamplesPerSec || 20_000) / 2;
  if (!ctx.results.batchedSamplesPerSec) ctx.notes.push('latency: batched was not run; background load is 10,000 samples/s');

  const ws = new WebSocket(`ws://127.0.0.1:${svc.httpPort}/ws`, { headers: svc.headers });
  const waiters = new Map<string, (kind: 'sample' | 'alarm', atMs: number) => void>();
  ws.on('message', (data) => {
    const at = performance.now();
    const m = JSON.parse(data.toString()) as { type: string; meterId?: string; alarm?: { meterId: string } };
    const meterId = m.type === 'sample' ? m.meterId : m.type === 'alarm' ? m.alarm?.meterId : undefined;
    if (meterId) waiters.get(meterId)?.(m.type as 'sample' | 'alarm', at);
  });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const subscribed = new Promise((resolve) => ws.on('message', (d) => JSON.parse(d.toString()).type === 'subscribed' && resolve(null)));
  ws.send(JSON.stringify({ op: 'subscribe', meters: ctx.workload.probeMeters.slice(0, 1000), alarms: true }));
  await subscribed;
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${svc.mqttPort}`, { clientId: PROBE_CONCENTRATOR, reconnectPeriod: 0 });
  const gen = new LoadGen();
  const stored: number[] = [];
  const pushed: number[] = [];
  const alarmed: number[] = [];
  let missed = 0;
  try {
    await gen.connect({ port: svc.mqttPort, sendersFile: writeSenders(ctx, 'latency', senders), window: 8 });
    await phase(ctx, `latency under ${round(backgroundPerSec)} samples/s`, async () => {
      const background = gen.run(opts.seconds + 2, backgroundPerSec / samplesPerMsg, ctx.tsCursorMs);
      await new Promise((r) => setTimeout(r, 1_500)); // let the background load settle first
      const until = performance.now() + opts.seconds * 1000;
      const tsMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS - QUARTER_MS;
      for (const meterId of ctx.workload.probeMeters) {
        if (performance.now() > until) break;
        const times = await probe(svc, device, meterId, tsMs, waiters);
        if (!times) missed++;
        else {
          stored.push(times.storedMs);
          pushed.push(times.wsMs);
          alarmed.push(times.alarmMs);
        }
      }
      advanceCursor(ctx, (await background).lastTsMs);
    });
  } finally {
    ws.close();
    await device.endAsync().catch(() => undefined);
    await gen.close();
  }
  await drained(ctx, 60_000);
  if (missed) ctx.notes.push(`latency: ${missed} probe(s) not seen within ${PROBE_TIMEOUT_MS / 1000} s`);
  log(ctx, `  ${stored.length} probes (one at a time, ${missed} missed)`);
  for (const [key, xs] of [['Stored', stored], ['Ws', pushed], ['Alarm', alarmed]] as const) {
    ctx.results[`p50PublishTo${key}Ms`] = round(percentile(xs, 50), 1);
    ctx.results[`p99PublishTo${key}Ms`] = round(percentile(xs, 99), 1);
  }
  ctx.results.latencyProbes = stored.length;
  ctx.results.latencyBackgroundSamplesPerSec = round(backgroundPerSec);
}

async function probe(
  svc: Pick<ServiceChild, 'base' | 'headers'>,
  device: mqtt.MqttClient,
  meterId: string,
  tsMs: number,
  waiters: Map<string, (kind: 'sample' | 'alarm', atMs: number) => void>,
): Promise<{ storedMs: number; wsMs: number; alarmMs: number } | undefined> {
  let wsAt = NaN;
  let alarmAt = NaN;
  waiters.set(meterId, (kind, at) => (kind === 'sample' ? (wsAt = at) : (alarmAt = at)));
  const payload = JSON.stringify({ records: [{ meter: meterId, ts: tsMs, a: 251.3, b: 229, c: 230 }] });
  const t0 = performance.now();
  await device.publishAsync(`concentrators/${PROBE_CONCENTRATOR}/voltage`, payload, { qos: 1 });
  let storedAt = NaN;
  const url = `${svc.base}/api/meters/${meterId}/series?kind=voltage&from=${tsMs}&to=${tsMs + 1}`;
  while (performance.now() - t0 < PROBE_TIMEOUT_MS) {
    if (Number.isNaN(storedAt)) {
      const series = (await (await fetch(url, { headers: svc.headers })).json()) as { ts?: number[] };
      if (series.ts?.length) storedAt = performance.now();
    }
    if (!Number.isNaN(storedAt) && !Number.isNaN(wsAt) && !Number.isNaN(alarmAt)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  waiters.delete(meterId);
  if (Number.isNaN(storedAt) || Number.isNaN(wsAt) || Number.isNaN(alarmAt)) return undefined;
  return { storedMs: storedAt - t0, wsMs: wsAt - t0, alarmMs: alarmAt - t0 };
}
