import { parentPort, workerData } from 'node:worker_threads';
import { openPg } from '../db/sql.pg.js';
import type { MeterContext } from '../domain/archive.js';
import { createLogger } from '../log.js';
import { createRuleEngine } from './engine.js';
import type { EngineThreadData, ToEngineThread } from './engine-thread.js';
import { unpackSamples } from './sample-pack.js';

/**
 * The rule engine's thread (engine-thread.ts): its own PostgreSQL pool and state cache, the meters' archive
 * entries as the ingesting thread sent them, one message at a time in arrival order.
 */
const data = workerData as EngineThreadData;
const log = createLogger(data.logLevel).child({ step: 'rules', thread: 'rules' });
const sql = await openPg({ url: data.url, schema: data.schema, maxConnections: 4, onError: (err) => log.warn({ err }, 'a rule engine database connection failed; the pool replaces it') });
const engine = await createRuleEngine({ sql, log, utilityTz: data.utilityTz });
const contexts = new Map<string, MeterContext>();
const port = parentPort!;

/** The latest evaluation or flush: closing waits for it. */
let last: Promise<unknown> = Promise.resolve();

port.on('message', (msg: ToEngineThread) => {
  if (msg.type === 'invalidateSettings') return engine.invalidateSettings();
  if (msg.type === 'close') {
    // process.exit in a worker ends this thread only.
    void last.finally(() => sql.close()).finally(() => process.exit(0));
    return;
  }
  const work = msg.type === 'flush' ? engine.flush(msg.meterIds).then(() => []) : evaluate(msg);
  last = work.then(
    (changes) => port.postMessage({ id: msg.id, changes }),
    (err: unknown) => port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
port.postMessage({ ready: true });

function evaluate(msg: Extract<ToEngineThread, { type: 'evaluate' }>) {
  // Entries this thread already holds are not sent again: their objects key the engine's plan cache.
  for (const ctx of msg.newContexts) contexts.set(ctx.meter.id, ctx);
  const batch = new Map<string, MeterContext>();
  for (const id of msg.meterIds) batch.set(id, contexts.get(id) as MeterContext);
  return engine.evaluate(unpackSamples(msg.samples), batch, msg.opts);
}
