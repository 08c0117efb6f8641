/** Scenario connections: N idle device connections; memory per connection from the service's RSS delta. */
import { log, phase, round, type Ctx } from './context.js';
import { fdLimitOf } from './children.js';
import { LoadGen } from './loadgen-client.js';
import { rssBytes } from './machine.js';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function connections(ctx: Ctx): Promise<void> {
  const gen = new LoadGen();
  try {
    await phase(ctx, `connections ${ctx.opts.connections} idle`, async () => {
      await settle(1_000); // also lets the generator's bash wrapper reach its exec, so its limit is final
      // Each side needs one descriptor per connection plus its own; a hard limit we cannot raise caps N.
      const room = Math.min(fdLimitOf(gen.pid), fdLimitOf(ctx.svc.pid)) - 300;
      const n = Math.min(ctx.opts.connections, room);
      if (n < ctx.opts.connections) ctx.notes.push(`connections: ${n} instead of ${ctx.opts.connections}: the open-files hard limit is ${room + 300} and could not be raised`);
      const before = rssBytes(ctx.svc.pid);
      const started = performance.now();
      await gen.connect({ port: ctx.svc.mqttPort, idle: n }, 180_000);
      const connectS = (performance.now() - started) / 1000;
      await settle(2_000);
      const after = rssBytes(ctx.svc.pid);
      ctx.results.bytesPerConnection = round((after - before) / n);
      ctx.results.idleConnections = n;
      log(ctx, `  ${n} connections in ${connectS.toFixed(1)} s; service RSS ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MiB = ${round((after - before) / n)} bytes each`);
    });
  } finally {
    await gen.close();
  }
}
