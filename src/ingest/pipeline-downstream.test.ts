import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { createPgTelemetryStore } from '../telemetry/telemetry.pg.js';
import type { JournalPosition, JournalRecord } from './journal.js';
import { IngestPipeline } from './pipeline.js';
import { createPgQuarantineStore } from './quarantine.pg.js';

const noArchive = { get: () => undefined, hasConcentrator: () => false };

function record(n: number): JournalRecord {
  return {
    id: `test:0:${n}`,
    receivedAtMs: Date.now(),
    topic: 'not/a/loadwatch/topic',
    clientId: 'c1',
    payload: Buffer.from('{}'),
    position: { segment: 0, offset: n + 1 },
  };
}

interface Hooks {
  afterStore?: () => Promise<void>;
  persistDownstream?: () => Promise<void>;
  onStoreHealth?: (failure: { message: string } | undefined) => void;
  batchMaxRecords?: number;
}

async function pipelineOn(db: TestDatabase, hooks: Hooks) {
  const checkpoints: JournalPosition[] = [];
  const releases: JournalPosition[] = [];
  const metrics = createMetrics();
  const pipeline = new IngestPipeline({
    archive: noArchive,
    telemetry: createPgTelemetryStore(db.sql),
    quarantine: createPgQuarantineStore(db.sql),
    setConcentratorStatus: async () => false,
    onStored: () => undefined,
    afterStore: hooks.afterStore ?? (async () => undefined),
    checkpoint: (pos) => checkpoints.push(pos),
    release: (pos) => releases.push(pos),
    persistDownstream: hooks.persistDownstream ?? (async () => undefined),
    onStoreHealth: hooks.onStoreHealth,
    metrics,
    log: createLogger('silent'),
    clock: Date.now,
    limits: { maxFutureSkewMs: 60_000, quarantinePayloadMaxBytes: 1024, batchMaxRecords: hooks.batchMaxRecords ?? 100, batchMaxBytes: 1 << 20 },
  });
  return { pipeline, checkpoints, releases, metrics };
}

/** Rules whose first evaluation holds on until release(): the batches after it wait for their rules meanwhile. */
function firstEvaluationHeld() {
  let release: () => void = () => undefined;
  const busy = new Promise<void>((resolve) => (release = resolve));
  const held = {
    calls: 0,
    release: () => release(),
    async afterStore() {
      if (++held.calls === 1) await busy;
    },
  };
  return held;
}

/**
 * What happens after a batch is stored (rules, live push) and the persist that lets the journal forget it can
 * fail (a connection terminated mid-transaction). Neither may let the journal forget a batch whose rules did not
 * run, and neither may leave the journal holding batches until some later message happens to arrive.
 */
describe('IngestPipeline: downstream work of stored batches', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => db?.drop());

  it('retries a persist that failed while idle, without a new batch, and then checkpoints', async () => {
    db = await openTestDatabase('pglite');
    let persistCalls = 0;
    const { pipeline, checkpoints, metrics } = await pipelineOn(db, {
      async persistDownstream() {
        if (++persistCalls === 1) throw new Error('Connection terminated unexpectedly');
      },
    });
    pipeline.push([record(0), record(1)]);
    await pipeline.drain();
    expect(persistCalls).toBe(1);
    expect(checkpoints).toEqual([]);

    await expect.poll(() => checkpoints, { timeout: 5_000 }).toEqual([{ segment: 0, offset: 2 }]);
    expect(persistCalls).toBe(2);
    // Only the persist that succeeded is timed.
    expect((await metrics.persistSeconds.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
    await pipeline.stop();
  });

  it('persists once storing has been idle for a lull, not in every gap between batches of a steady flow', async () => {
    db = await openTestDatabase('pglite');
    let evaluated = 0;
    let persistCalls = 0;
    const { pipeline, checkpoints } = await pipelineOn(db, {
      afterStore: async () => void evaluated++,
      persistDownstream: async () => void persistCalls++,
    });
    pipeline.push([record(0)]);
    await expect.poll(() => evaluated).toBe(1);
    // A lull is a second without a batch: a timer can fire late on a busy machine, never early.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(persistCalls).toBe(0);
    await expect.poll(() => checkpoints, { timeout: 5_000 }).toEqual([{ segment: 0, offset: 1 }]);
    expect(persistCalls).toBe(1);
    await pipeline.stop();
  });

  it('evaluates a batch again after its rule evaluation failed, says degraded meanwhile, and checkpoints it only then', async () => {
    db = await openTestDatabase('pglite');
    let calls = 0;
    const health: (string | undefined)[] = [];
    const { pipeline, checkpoints } = await pipelineOn(db, {
      async afterStore() {
        if (++calls <= 2) throw new Error('terminating connection due to administrator command');
      },
      onStoreHealth: (failure) => health.push(failure?.message),
    });
    pipeline.push([record(0)]);
    await pipeline.drain();
    expect(calls).toBe(3);
    expect(checkpoints).toEqual([{ segment: 0, offset: 1 }]);
    const failing = 'rule evaluation: terminating connection due to administrator command';
    expect(health).toEqual([failing, failing, undefined]);
    await pipeline.stop();
  });

  it('evaluates the batches stored while the rules were busy together, then checkpoints up to the last of them', async () => {
    db = await openTestDatabase('pglite');
    const rules = firstEvaluationHeld();
    const { pipeline, checkpoints, releases } = await pipelineOn(db, { batchMaxRecords: 1, afterStore: rules.afterStore });
    pipeline.push([record(0), record(1), record(2), record(3)]);
    // The first batch's rules hold on while the other three are stored: the journal may free their memory, not forget them.
    await expect.poll(() => pipeline.backlog).toBe(0);
    expect(rules.calls).toBe(1);
    expect(releases).toEqual([1, 2, 3, 4].map((offset) => ({ segment: 0, offset })));
    expect(checkpoints).toEqual([]);
    rules.release();
    await pipeline.drain();
    expect(rules.calls).toBe(2);
    // Persists are spaced (5 s under load, at once for drain()): that one covers every batch.
    expect(checkpoints).toEqual([{ segment: 0, offset: 4 }]);
    await pipeline.stop();
  });

  it('stores records that arrive while the rules of the batches before them still run', async () => {
    db = await openTestDatabase('pglite');
    const rules = firstEvaluationHeld();
    const { pipeline, checkpoints } = await pipelineOn(db, { afterStore: rules.afterStore });
    pipeline.push([record(0)]);
    await expect.poll(() => rules.calls).toBe(1);
    // The queue ran dry and the first batch's rules hold on: the next record is stored all the same.
    pipeline.push([record(1)]);
    await expect.poll(() => pipeline.backlog).toBe(0);
    expect(rules.calls).toBe(1);
    rules.release();
    await pipeline.drain();
    expect(rules.calls).toBe(2);
    expect(checkpoints).toEqual([{ segment: 0, offset: 2 }]);
    await pipeline.stop();
  });

  it('does not checkpoint a batch whose rules still fail when it stops (the journal replays it at the next start)', async () => {
    db = await openTestDatabase('pglite');
    let calls = 0;
    const { pipeline, checkpoints } = await pipelineOn(db, {
      async afterStore() {
        calls++;
        throw new Error('the database is gone');
      },
    });
    pipeline.push([record(0)]);
    await expect.poll(() => calls).toBeGreaterThan(1);
    await pipeline.stop();
    expect(checkpoints).toEqual([]);
  });
});
