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
});
