import { mkdtemp, readdir, rm, stat, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type JournalRecord } from './journal.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lw-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function appendAll(journal: Journal, n: number, order: number[]): Promise<void[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<void>((resolve, reject) =>
        journal.append(`meters/M${i}/load`, `client-${i % 3}`, Buffer.from(`{"i":${i}}`), 1_000 + i, (err) => {
          if (err) return reject(err);
          order.push(i);
          resolve();
        }),
      ),
    ),
  );
}

describe('Journal', () => {
  it('acknowledges in append order and hands durable records to the consumer in order', async () => {
    const dir = await tempDir();
    const { journal, backlog } = await Journal.open(dir, { segmentBytes: 1 << 20 });
    expect(backlog).toEqual([]);
    const seen: JournalRecord[] = [];
    journal.onDurable = (records) => seen.push(...records);
    const order: number[] = [];
    await appendAll(journal, 500, order);
    expect(order).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(seen.map((r) => r.payload.toString())).toEqual(order.map((i) => `{"i":${i}}`));
    expect(new Set(seen.map((r) => r.id)).size).toBe(500);
    await journal.close();
  });

  it('replays what was not checkpointed, with the same ids, after a restart', async () => {
    const dir = await tempDir();
    const first = await Journal.open(dir, { segmentBytes: 1 << 20 });
    const seen: JournalRecord[] = [];
    first.journal.onDurable = (records) => seen.push(...records);
    await appendAll(first.journal, 10, []);
    first.journal.checkpoint(seen[3].position);
    await first.journal.close();
    await first.journal.settle();

    const second = await Journal.open(dir, { segmentBytes: 1 << 20 });
    expect(second.backlog.map((r) => r.payload.toString())).toEqual(seen.slice(4).map((r) => r.payload.toString()));
    expect(second.backlog.map((r) => r.id)).toEqual(seen.slice(4).map((r) => r.id));
    expect(second.backlog[0]).toMatchObject({ topic: 'meters/M4/load', clientId: 'client-1', receivedAtMs: 1_004 });
    await second.journal.close();
  });

  it('drops a record cut short by a crash (never acknowledged) and keeps the ones before it', async () => {
    const dir = await tempDir();
    const first = await Journal.open(dir, { segmentBytes: 1 << 20 });
    await appendAll(first.journal, 3, []);
    await first.journal.close();
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.log'));
    const before = (await stat(join(dir, segment))).size;
    // A header promising 100 bytes, followed by only 4 of them.
    const torn = Buffer.alloc(20);
    torn.writeUInt32LE(100, 0);
    await appendFile(join(dir, segment), torn);

    const second = await Journal.open(dir, { segmentBytes: 1 << 20 });
    expect(second.backlog).toHaveLength(3);
    expect((await stat(join(dir, segment))).size).toBe(before);
    await second.journal.close();
  });

  it('rotates segments and deletes the ones a checkpoint has passed', async () => {
    const dir = await tempDir();
    const { journal } = await Journal.open(dir, { segmentBytes: 2_000 });
    const seen: JournalRecord[] = [];
    journal.onDurable = (records) => seen.push(...records);
    for (let round = 0; round < 20; round++) await appendAll(journal, 10, []);
    const segments = new Set(seen.map((r) => r.position.segment));
    expect(segments.size).toBeGreaterThan(3);
    journal.checkpoint(seen.at(-1)!.position);
    await journal.settle();
    const left = (await readdir(dir)).filter((f) => f.endsWith('.log'));
    expect(left.length).toBeLessThanOrEqual(2);
    await journal.close();
    const reopened = await Journal.open(dir, { segmentBytes: 2_000 });
    expect(reopened.backlog).toEqual([]);
    await reopened.journal.close();
  });

  it('holds appends past maxBufferedBytes, unacknowledged and in order, until checkpoints make room', async () => {
    const dir = await tempDir();
    // Each record is 16 + 14 (topic) + 8 (client) + ~8 payload bytes, so about 5 fit under 250 bytes.
    const { journal } = await Journal.open(dir, { segmentBytes: 600, maxBufferedBytes: 250 });
    const seen: JournalRecord[] = [];
    journal.onDurable = (records) => seen.push(...records);
    const order: number[] = [];
    const all = appendAll(journal, 30, order);
    await new Promise((r) => setTimeout(r, 100));
    expect(journal.full).toBe(true);
    const acknowledgedWhileFull = order.length;
    expect(acknowledgedWhileFull).toBeGreaterThan(0);
    expect(acknowledgedWhileFull).toBeLessThan(30);
    await new Promise((r) => setTimeout(r, 100));
    expect(order.length).toBe(acknowledgedWhileFull);

    // The store catches up record by record, across segment rotations.
    let stored = 0;
    while (order.length < 30) {
      if (stored < seen.length) journal.checkpoint(seen[stored++].position);
      expect(journal.bufferedBytes).toBeLessThanOrEqual(250 + 50);
      await new Promise((r) => setTimeout(r, 5));
    }
    await all;
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    journal.checkpoint(seen.at(-1)!.position);
    expect(journal.bufferedBytes).toBe(0);
    expect(journal.full).toBe(false);
    await journal.close();
    await journal.settle();
  });

  it('counts a replayed backlog as buffered until it is checkpointed', async () => {
    const dir = await tempDir();
    const first = await Journal.open(dir, { segmentBytes: 1 << 20 });
    const seen: JournalRecord[] = [];
    first.journal.onDurable = (records) => seen.push(...records);
    await appendAll(first.journal, 10, []);
    first.journal.checkpoint(seen[3].position);
    const expected = first.journal.bufferedBytes;
    await first.journal.close();
    await first.journal.settle();

    const second = await Journal.open(dir, { segmentBytes: 1 << 20 });
    expect(second.journal.bufferedBytes).toBe(expected);
    second.journal.checkpoint(second.backlog.at(-1)!.position);
    expect(second.journal.bufferedBytes).toBe(0);
    await second.journal.close();
    await second.journal.settle();
  });
});

describe('Journal memory bound (maxMemoryBytes)', () => {
  // Records are 46-48 bytes: 1,000 of them are ~47 KB on disk against 2 KiB handed out at a time.
  const MEMORY_MAX = 2048;

  /** A consumer that stores everything it was handed so far, as a store catching up would, until it has `total`. */
  async function catchUp(journal: Journal, seen: JournalRecord[], total: number): Promise<void> {
    for (let stored = 0; seen.length < total || stored < seen.length; await new Promise((r) => setTimeout(r, 2))) {
      if (stored < seen.length) journal.checkpoint(seen.at(-1)!.position);
      stored = seen.length;
    }
  }

  const payloads = (records: JournalRecord[]) => records.map((r) => JSON.parse(r.payload.toString()) as { i: number }).map((p) => p.i);

  it('hands out at most maxMemoryBytes while the store is away, then reads the rest back from disk in order, each record once', async () => {
    const dir = await tempDir();
    let peak = 0;
    const { journal } = await Journal.open(dir, { segmentBytes: 4096, maxMemoryBytes: MEMORY_MAX, onMemory: (bytes) => (peak = Math.max(peak, bytes)) });
    const seen: JournalRecord[] = [];
    journal.onDurable = (records) => seen.push(...records);
    await appendAll(journal, 1000, []); // every append acknowledged: the disk buffer is not capped

    expect(journal.bufferedBytes).toBeGreaterThan(20 * MEMORY_MAX);
    expect(journal.memoryBytes).toBeLessThanOrEqual(MEMORY_MAX);
    expect(seen.length).toBeLessThan(MEMORY_MAX / 40);
    // New arrivals while the backlog is read back queue behind it.
    const late = appendAll(journal, 200, []);
    await catchUp(journal, seen, 1200);
    await late;

    expect(payloads(seen)).toEqual([...Array.from({ length: 1000 }, (_, i) => i), ...Array.from({ length: 200 }, (_, i) => i)]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(1200);
    expect(peak).toBeLessThanOrEqual(MEMORY_MAX);
    expect(journal.bufferedBytes).toBe(0);
    await journal.close();
    await journal.settle();
  });

  it('hands out the rest as stored records are released, with no checkpoint, and replays them all after a restart', async () => {
    const dir = await tempDir();
    const first = await Journal.open(dir, { segmentBytes: 4096, maxMemoryBytes: MEMORY_MAX });
    const seen: JournalRecord[] = [];
    first.journal.onDurable = (records) => seen.push(...records);
    await appendAll(first.journal, 1000, []);
    // Stored, but what follows storing is not durable yet: released, never checkpointed.
    const deadline = Date.now() + 5_000;
    for (let released = 0; (seen.length < 1000 || released < seen.length) && Date.now() < deadline; await new Promise((r) => setTimeout(r, 2))) {
      if (released < seen.length) first.journal.release(seen.at(-1)!.position);
      released = seen.length;
    }
    expect(payloads(seen)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(first.journal.memoryBytes).toBe(0);
    expect(first.journal.bufferedBytes).toBeGreaterThan(20 * MEMORY_MAX);
    await first.journal.close();

    const second = await Journal.open(dir, { segmentBytes: 4096 });
    expect(second.backlogRecords).toBe(1000);
    expect(second.backlog.map((r) => r.id)).toEqual(seen.map((r) => r.id));
    await second.journal.close();
  });

  it('reads a restart backlog back in bounded steps, with the ids it had', async () => {
    const dir = await tempDir();
    const first = await Journal.open(dir, { segmentBytes: 4096 });
    const before: JournalRecord[] = [];
    first.journal.onDurable = (records) => before.push(...records);
    await appendAll(first.journal, 1000, []);
    await first.journal.close();

    let peak = 0;
    const second = await Journal.open(dir, { segmentBytes: 4096, maxMemoryBytes: MEMORY_MAX, onMemory: (bytes) => (peak = Math.max(peak, bytes)) });
    expect(second.backlogRecords).toBe(1000);
    expect(second.backlog.length).toBeLessThan(MEMORY_MAX / 40);
    const seen = [...second.backlog];
    second.journal.onDurable = (records) => seen.push(...records);
    await catchUp(second.journal, seen, 1000);

    expect(seen.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(seen.map((r) => r.payload.toString())).toEqual(before.map((r) => r.payload.toString()));
    expect(peak).toBeLessThanOrEqual(MEMORY_MAX);
    expect(second.journal.bufferedBytes).toBe(0);
    await second.journal.close();
    await second.journal.settle();
  });
});
