import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { IlpBatcher, WriterClosedError, type Outcome } from './ilp-batcher.js';
import { parseIlpLine, startFakeIlpServer, type FakeAnswer, type FakeIlpServer } from './ilp-fake-server.js';
import type { IlpRow } from './ilp-rows.js';
import { classifyIlpError, openIlpSender, type IlpSender } from './ilp-sender.questdb.js';

// The real @questdb/nodejs-client against a local stand-in for POST /write: short client timeouts so
// a hung request fails in a fraction of a second; text protocol (v1) so the stand-in can read the lines.
const T0 = Date.parse('2026-11-24T16:00:00Z');
const row = (meterId: string, i: number): IlpRow => ({ table: 'telemetry_load', symbols: [['meter_id', meterId]], fields: [['p', i], ['multiplier', 1]], tsMs: T0 + i * 900_000 });

let server: FakeIlpServer | undefined;
let sender: IlpSender | undefined;
let batcher: IlpBatcher<IlpRow> | undefined;
afterEach(async () => {
  await batcher?.close();
  await sender?.close();
  await server?.close();
  batcher = sender = server = undefined;
});

async function setUp(respond: (lines: string[], n: number) => FakeAnswer, opts: { maxBatchRows?: number } = {}) {
  server = await startFakeIlpServer(respond);
  sender = await openIlpSender(`http::addr=127.0.0.1:${server.port};protocol_version=1;request_timeout=150;retry_timeout=400;`, createLogger('silent'));
  const retries: number[] = [];
  const rejected: IlpRow[] = [];
  const s = sender;
  batcher = new IlpBatcher<IlpRow>({
    send: (rows) => s.send(rows),
    classify: classifyIlpError,
    maxBatchRows: opts.maxBatchRows ?? 1000,
    flushIntervalMs: 10,
    retryMinMs: 20,
    retryMaxMs: 100,
    onRetry: (_err, rows) => retries.push(rows),
    onRejected: (r) => rejected.push(r),
  });
  return { server, batcher, retries, rejected };
}

/** Each accepted line exactly once: no row lost, none written twice. */
function expectEachOnce(accepted: string[], expected: IlpRow[]) {
  const keys = accepted.map((l) => {
    const p = parseIlpLine(l);
    return `${p.symbols.meter_id}@${p.tsNs / 1_000_000n}`;
  });
  expect(new Set(keys).size).toBe(keys.length);
  expect([...keys].sort()).toEqual(expected.map((r) => `${r.symbols[0][1]}@${r.tsMs}`).sort());
}

describe('ILP writer against a failing ILP/HTTP endpoint', () => {
  it.each<[string, FakeAnswer]>([
    ['500', 500],
    ['503', 503],
    ['no answer (timeouts)', 'hang'],
  ])('%s for longer than the client retries, then accept: every row written once, none lost, none twice', async (_name, failure) => {
    const failUntil = Date.now() + 900; // the client gives up after retry_timeout=400 ms: our retry must carry on
    const { server, batcher, retries } = await setUp(() => (Date.now() < failUntil ? failure : 'accept'));
    const batches = [0, 1, 2].map((b) => Array.from({ length: 50 }, (_, i) => row(`M${b}`, i)));
    const outcomes = await Promise.all(batches.map((rows) => batcher.enqueue(rows)));
    expect(outcomes).toEqual(batches.map(() => ({ written: 50, rejected: 0 })));
    expectEachOnce(server.accepted, batches.flat());
    expect(retries.length).toBeGreaterThan(0);
  });

  it('a short burst of 500/503/no answer: rows written once either way', async () => {
    const failures: FakeAnswer[] = [503, 'hang', 500, 503];
    const { server, batcher } = await setUp((_lines, n) => failures[n] ?? 'accept');
    const rows = Array.from({ length: 120 }, (_, i) => row(`M${i % 3}`, i));
    await expect(batcher.enqueue(rows)).resolves.toEqual({ written: 120, rejected: 0 });
    expectEachOnce(server.accepted, rows);
    expect(server.requests).toBeGreaterThan(failures.length);
  });

  it('flushes a lone row on its timer, without waiting for more rows', async () => {
    const { server, batcher } = await setUp(() => 'accept', { maxBatchRows: 75_000 });
    await expect(batcher.enqueue([row('M1', 0)])).resolves.toEqual({ written: 1, rejected: 0 });
    expect(server.accepted).toHaveLength(1);
  });

  it('cuts requests at maxBatchRows', async () => {
    const { server, batcher } = await setUp(() => 'accept', { maxBatchRows: 40 });
    const rows = Array.from({ length: 100 }, (_, i) => row('M1', i));
    await batcher.enqueue(rows);
    expect(server.requests).toBe(3);
    expectEachOnce(server.accepted, rows);
  });

  it('isolates poisoned rows by splitting a rejected batch and writes all the others once', async () => {
    const { server, batcher, rejected } = await setUp((lines, n) => (lines.some((l) => l.includes('meter_id=POISON')) ? 400 : n === 1 ? 503 : 'accept'));
    const rows = Array.from({ length: 100 }, (_, i) => row(i === 17 || i === 80 ? 'POISON' : 'M1', i));
    const outcome: Outcome = await batcher.enqueue(rows);
    expect(outcome).toEqual({ written: 98, rejected: 2 });
    expect(rejected.map((r) => r.tsMs)).toEqual([rows[17].tsMs, rows[80].tsMs]);
    expectEachOnce(server.accepted, rows.filter((r) => r.symbols[0][1] !== 'POISON'));
  });

  it('a close while the server is down fails the waiting write (the journal keeps it) instead of hanging', async () => {
    const { server, batcher } = await setUp(() => 503);
    const pending = batcher.enqueue([row('M1', 0)]);
    await new Promise((r) => setTimeout(r, 300));
    await batcher.close();
    await expect(pending).rejects.toBeInstanceOf(WriterClosedError);
    expect(server.accepted).toEqual([]);
  });
});
