/**
 * Scenario connections: N idle device connections; memory per connection from the service's RSS, on a service of
 * its own (after the other scenarios the main one's heap holds their garbage, and a collection while the
 * connections opened once gave back more than they took: a negative figure). The figure is the growth from the
 * first half of the connections to all of them, per connection: what one more costs, without what grows once
 * whatever the count (the young generation, buffers of the first connections).
 */
import { log, phase, round, type Ctx } from './context.js';
import { fdLimitOf } from './children.js';
import { LoadGen } from './loadgen-client.js';
import { rssBytes } from './machine.js';
import { withOwnService } from './service.js';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function connections(ctx: Ctx): Promise<void> {
  await withOwnService(`${ctx.schema}_c`, {}, async (svc) => {
    const halves = [new LoadGen(), new LoadGen()];
    try {
      await phase(ctx, `connections ${ctx.opts.connections} idle`, async () => {
        await settle(2_000); // lets the fresh service settle, and the generators' bash wrappers reach their exec, so their limits are final
        // Each side needs one descriptor per connection plus its own; a hard limit we cannot raise caps N.
        const room = Math.min(fdLimitOf(halves[0].pid) * 2, fdLimitOf(svc.pid)) - 300;
        const n = Math.min(ctx.opts.connections, room);
        if (n < ctx.opts.connections) ctx.notes.push(`connections: ${n} instead of ${ctx.opts.connections}: the open-files hard limit is ${room + 300} and could not be raised`);
        const rss = [rssBytes(svc.pid)];
        const counts = [Math.floor(n / 2), n - Math.floor(n / 2)];
        let connectS = 0;
        for (const [i, gen] of halves.entries()) {
          const started = performance.now();
          await gen.connect({ port: svc.mqttPort, idle: counts[i] }, 180_000);
          connectS += (performance.now() - started) / 1000;
          await settle(2_000);
          rss.push(rssBytes(svc.pid));
        }
        const perConnection = round((rss[2] - rss[1]) / counts[1]);
        ctx.results.bytesPerConnection = perConnection;
        ctx.results.idleConnections = n;
        const mib = (b: number) => (b / 2 ** 20).toFixed(0);
        log(ctx, `  ${n} connections in ${connectS.toFixed(1)} s; service RSS ${mib(rss[0])} -> ${mib(rss[1])} -> ${mib(rss[2])} MiB at 0 / ${counts[0]} / ${n}: ` +
          `${perConnection} bytes per connection from half to all (${round((rss[2] - rss[0]) / n)} from none)`);
      });
    } finally {
      for (const gen of halves) await gen.close();
    }
  });
}
