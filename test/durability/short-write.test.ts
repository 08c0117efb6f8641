import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { Journal } from '../../src/ingest/journal.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FILE_LIMIT_BYTES = 40_000;
const RECORDS = 2_000; // ~48 bytes each: well past the limit

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the writer under RLIMIT_FSIZE: the write that crosses the limit is cut short, the next fails with EFBIG. */
function writeUnderFileLimit(journalDir: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', [`--fsize=${FILE_LIMIT_BYTES}`, process.execPath, '--import', 'tsx', join(HERE, 'journal-writer.fixture.ts'), journalDir, String(RECORDS)], {
      cwd: join(HERE, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

it('never acknowledges a record that a short write left off the disk (disk full, file size limit)', async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadwatch-short-write-'));
  const acked = await writeUnderFileLimit(dir);
  const ackedIndexes = acked.flatMap((a, i) => (a ? [i] : []));
  expect(ackedIndexes.length).toBeGreaterThan(0);
  expect(ackedIndexes.length).toBeLessThan(RECORDS); // the limit was hit

  const { journal, backlog } = await Journal.open(dir, { segmentBytes: 64 << 20 });
  await journal.close();
  const onDisk = backlog.map((r) => (JSON.parse(r.payload.toString()) as { ts: number }).ts);
  // A failed flush is cut off the file again, so what is on disk is exactly what was acknowledged,
  // in append order (a later, smaller batch may still fit under the limit after a failed one).
  expect(onDisk).toEqual(ackedIndexes);
});
