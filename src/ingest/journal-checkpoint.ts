import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listSegments, segmentName, type JournalPosition } from './journal-segments.js';

/**
 * The journal directory's checkpoint file: everything before its position is stored. Writes are coalesced (the
 * latest wins), each replaces the file atomically and then removes the segments before it.
 */
export class CheckpointFile {
  private writing = false;
  private next: JournalPosition | undefined;

  constructor(
    private readonly dir: string,
    /** A write failed; the next one retries, and until then more is replayed after a crash. */
    private readonly onError?: (err: Error) => void,
  ) {}

  /** The stored position, or the start when none was ever written. */
  static async read(dir: string): Promise<JournalPosition> {
    try {
      const pos = JSON.parse(await readFile(join(dir, 'checkpoint'), 'utf8')) as JournalPosition;
      if (Number.isInteger(pos.segment) && Number.isInteger(pos.offset)) return pos;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return { segment: 0, offset: 0 };
  }

  write(pos: JournalPosition): void {
    this.next = pos;
    if (!this.writing) this.drain().catch((err: Error) => this.onError?.(err));
  }

  /** Resolves when the last position asked for is on disk. */
  async settle(): Promise<void> {
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.next) {
        const pos = this.next;
        this.next = undefined;
        const tmp = join(this.dir, 'checkpoint.tmp');
        await writeFile(tmp, JSON.stringify(pos));
        await rename(tmp, join(this.dir, 'checkpoint'));
        for (const segment of await listSegments(this.dir)) {
          if (segment < pos.segment) await unlink(join(this.dir, segmentName(segment))).catch(() => undefined);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/** This node's id in record ids (journal-segments.ts), made once per journal directory. */
export async function readOrCreateNodeId(dir: string): Promise<string> {
  const file = join(dir, 'node-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = randomBytes(4).toString('hex');
    await writeFile(file, id);
    return id;
  }
}
