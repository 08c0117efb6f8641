import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { createPgTelemetryStore } from '../telemetry/telemetry.pg.js';
import type { JournalPosition, JournalRecord } from './journal.js';
import { IngestPipeline } from './pipeline.js';
import { createPgQuarantineStore } from './quarantine.pg.js';

const noArchive = { get: () => undefined, hasConcentrator: () => false, isBehind: () => false };

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

/**
 * The rule state persist that lets the journal forget stored batches can fail (its connection was
 * terminated). When the pipeline is idle no new batch comes to try again, so the pipeline must: the
 * journal otherwise reports the batches buffered until the next message, however long that takes.
 */
describe('IngestPipeline: persisting downstream work', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => db?.drop());

  it('retries a persist that failed while idle, without a new batch, and then checkpoints', async () => {
    db = await openTestDatabase('pglite');
    let persistCalls = 0;
    const checkpoints: JournalPosition[] = [];
    const pipeline = new IngestPipeline({
      archive: noArchive,
      telemetry: createPgTelemetryStore(db.sql),
      quarantine: createPgQuarantineStore(db.sql),
      setConcentratorStatus: async () => false,
      afterStore: async () => undefined,
      checkpoint: (pos) => checkpoints.push(pos),
      async persistDownstream() {
        if (++persistCalls === 1) throw new Error('Connection terminated unexpectedly');
      },
      metrics: createMetrics(),
      log: createLogger('silent'),
      clock: Date.now,
      limits: { maxFutureSkewMs: 60_000, quarantinePayloadMaxBytes: 1024, batchMaxRecords: 100, batchMaxBytes: 1 << 20 },
    });

    pipeline.push([record(0), record(1)]);
    await pipeline.drain();
    expect(persistCalls).toBe(1);
    expect(checkpoints).toEqual([]);

    await expect.poll(() => checkpoints, { timeout: 5_000 }).toEqual([{ segment: 0, offset: 2 }]);
    expect(persistCalls).toBe(2);
    await pipeline.stop();
  });
});
