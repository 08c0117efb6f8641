/** Scenario single: one sample per QoS 1 message, interleaved with bare aedes and Mosquitto (A B C A B C). */
import { advanceCursor, drained, log, phase, round, writeSenders, type Ctx } from './context.js';
import { LoadGen } from './loadgen-client.js';
import { startBareAedes, startMosquitto } from './peers.js';
import { singleSenders } from './workload.js';

export async function single(ctx: Ctx): Promise<void> {
  const { opts } = ctx;
  const connections = opts.quick ? 50 : 200;
  const sendersFile = writeSenders(ctx, 'single', singleSenders(ctx.workload.fleet, connections));
  const window = 16;
  log(ctx, `single: ${connections} meter connections, window ${window} QoS 1 messages each`);
  const rates: Record<'service' | 'aedes' | 'mosquitto', number[]> = { service: [], aedes: [], mosquitto: [] };

  const onService = async (i: number) => {
    const gen = new LoadGen();
    try {
      await gen.connect({ port: ctx.svc.mqttPort, sendersFile, window });
      await phase(ctx, `single A${i} loadwatch`, async () => {
        const before = await ctx.svc.metrics();
        const started = performance.now();
        const r = await gen.run(opts.seconds, 0, ctx.tsCursorMs);
        const after = await ctx.svc.metrics();
        advanceCursor(ctx, r.lastTsMs);
        const evaluatedPerSec = (after.evaluated - before.evaluated) / ((performance.now() - started) / 1000);
        const ackedPerSec = r.acked / (r.elapsedMs / 1000);
        // End to end means stored and evaluated: the slower of acknowledging and of storing with the rules.
        rates.service.push(Math.min(evaluatedPerSec, ackedPerSec));
        log(ctx, `  acked ${round(ackedPerSec)} msgs/s, stored and evaluated ${round(evaluatedPerSec)} samples/s, backlog at end ${after.backlog}`);
      });
    } finally {
      await gen.close();
    }
    await drained(ctx, 60_000);
  };
  const onPeer = async (name: 'aedes' | 'mosquitto', i: number) => {
    const broker = name === 'aedes' ? await startBareAedes() : await startMosquitto();
    const gen = new LoadGen();
    try {
      await gen.connect({ port: broker.port, sendersFile, window, subscribe: name === 'mosquitto' ? 'meters/#' : undefined });
      await phase(ctx, `single ${name === 'aedes' ? 'B' : 'C'}${i} ${name}`, async () => {
        const r = await gen.run(opts.seconds, 0, ctx.tsCursorMs);
        const perSec = r.acked / (r.elapsedMs / 1000);
        rates[name].push(perSec);
        const forwarded = name === 'mosquitto' ? `, subscriber received ${(r.receivedBytes / 1e6).toFixed(1)} MB` : '';
        log(ctx, `  acked ${round(perSec)} msgs/s${forwarded}`);
      });
    } finally {
      await gen.close();
      await broker.stop();
    }
  };

  for (let i = 1; i <= 2; i++) {
    await onService(i);
    await onPeer('aedes', i);
    if (i === 1 || !opts.quick) await onPeer('mosquitto', i);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  ctx.results.singleMsgsPerSec = round(mean(rates.service));
  ctx.results.bareAedesMsgsPerSec = round(mean(rates.aedes));
  ctx.results.mosquittoMsgsPerSec = round(mean(rates.mosquitto));
  ctx.results.singleVsBareAedesRatio = round(mean(rates.service) / mean(rates.aedes), 3);
  ctx.results.singleVsMosquittoRatio = round(mean(rates.service) / mean(rates.mosquitto), 3);
}
