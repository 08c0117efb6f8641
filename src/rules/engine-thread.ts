import { Worker } from 'node:worker_threads';
import type { AlarmChange } from '../alarms/store.js';
import type { MeterContext } from '../domain/archive.js';
import type { Logger } from '../log.js';
import type { RuleEngine } from './engine.js';
import { packSamples, transferList, type PackedSamples } from './sample-pack.js';

/** What the engine's thread is started with. */
export interface EngineThreadData {
  url: string;
  schema: string;
  utilityTz: string;
  logLevel: string;
}

export type ToEngineThread =
  | {
      type: 'evaluate';
      id: number;
      samples: PackedSamples;
      /** The meters of this batch that have an archive entry; the thread holds the entries already sent. */
      meterIds: string[];
      newContexts: MeterContext[];
      opts: { deferSnapshot?: boolean };
    }
  | { type: 'flush'; id: number; meterIds?: readonly string[] }
  | { type: 'invalidateSettings' }
  | { type: 'close' };

type FromEngineThread = { ready: true } | { id: number; changes: AlarmChange[] } | { id: number; error: string };

export interface EngineThreadOptions extends EngineThreadData {
  log: Logger;
  /**
   * The thread ended on its own (a bug: the engine reports outages as rejections). Its unwritten rule state is
   * gone with it, while the journal still holds the batches behind that state: only a restart of the process,
   * which replays the journal, puts them together again.
   */
  onCrash(err: Error): void;
}

const ENTRY = new URL(`./engine-thread-entry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
// Every evaluation replaces each track's counters of every meter it touches: a pass over a large fleet makes tens
// of megabytes of objects that die at the meter's next step. A young generation that holds a pass lets them die
// there instead of being promoted and collected by full mark-compacts of the old generation (the cached states).
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 96 };

// tsx's ESM entry point (its package exports a CommonJS one to require()).
const TSX_API = import.meta.resolve('tsx/esm/api');

/**
 * The rule engine on a thread of its own, for a service on a PostgreSQL server: evaluation, rule state and its
 * snapshots use the second core while this thread receives, journals and stores, instead of taking turns with
 * them on one. Same interface and semantics as createRuleEngine (messages are handled in order, so a settings
 * invalidation applies to the next evaluation). An embedded database lives in this thread and cannot be shared.
 */
export async function createThreadedRuleEngine(opts: EngineThreadOptions): Promise<RuleEngine> {
  const { log, onCrash, ...data } = opts;
  const worker = ENTRY.pathname.endsWith('.ts')
    ? // Run from source (npm start, vitest): the thread registers tsx itself before loading the entry.
      new Worker(`import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY.href)}); })`, {
        eval: true,
        workerData: data satisfies EngineThreadData,
        resourceLimits: RESOURCE_LIMITS,
      })
    : new Worker(ENTRY, { workerData: data satisfies EngineThreadData, resourceLimits: RESOURCE_LIMITS });
  const pending = new Map<number, { resolve: (changes: AlarmChange[]) => void; reject: (err: Error) => void }>();
  const sent = new WeakSet<MeterContext>();
  let nextId = 1;
  let closing = false;

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the rule engine thread exited with code ${code} while starting`)));
    worker.on('message', function started(msg: FromEngineThread) {
      if (!('ready' in msg)) return;
      worker.off('message', started);
      worker.removeAllListeners('error').removeAllListeners('exit');
      resolve();
    });
  });
  worker.on('message', (msg: FromEngineThread) => {
    if ('ready' in msg) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if ('error' in msg) p?.reject(new Error(msg.error));
    else p?.resolve(msg.changes);
  });
  worker.on('error', (err) => {
    log.fatal({ err }, 'the rule engine thread failed');
    failAll(err);
    onCrash(err);
  });
  worker.on('exit', (code) => {
    if (closing) return;
    const err = new Error(`the rule engine thread exited with code ${code}`);
    failAll(err);
    onCrash(err);
  });

  const call = (msg: Omit<Extract<ToEngineThread, { type: 'flush' }>, 'id'> | Omit<Extract<ToEngineThread, { type: 'evaluate' }>, 'id'>) =>
    new Promise<AlarmChange[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id }, msg.type === 'evaluate' ? transferList(msg.samples) : []);
    });

  return {
    evaluate(samples, contexts, evaluateOpts = {}) {
      const newContexts: MeterContext[] = [];
      for (const ctx of contexts.values()) {
        if (sent.has(ctx)) continue;
        sent.add(ctx);
        newContexts.push(ctx);
      }
      return call({ type: 'evaluate', samples: packSamples(samples), meterIds: [...contexts.keys()], newContexts, opts: evaluateOpts });
    },
    async flush(meterIds) {
      await call({ type: 'flush', meterIds });
    },
    invalidateSettings() {
      worker.postMessage({ type: 'invalidateSettings' } satisfies ToEngineThread);
    },
    async close() {
      closing = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'close' } satisfies ToEngineThread);
      await exited;
    },
  };
}
