import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, fsyncSync, ftruncate, openSync, writev } from 'node:fs';
import { mkdir, readFile, readdir, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The ingest journal: every message the broker receives is appended here and synced to disk
 * before its QoS 1 PUBACK goes out, so an acknowledged message survives a crash. What is
 * journaled but not yet stored is replayed on the next start.
 *
 * Group commit without a timer: while one write+fdatasync is in flight, new messages queue;
 * the next flush starts the moment the previous one ends, so a lone message waits for nothing
 * and a busy broker amortises one sync over many messages. Callbacks run in append order, so
 * each connection's PUBACKs leave in the order its messages arrived (MQTT 3.1.1 section 4.6).
 *
 * Record layout: u32 length (whole record) | f64 receivedAtMs | u16 topic bytes | u16 client id
 * bytes | topic | client id | payload. A record cut short by a crash fails the length check
 * and is truncated at recovery; it was never acknowledged.
 *
 * Bounded: what is journaled but not yet checkpointed (stored) is the ingest buffer. Once it
 * reaches maxBufferedBytes, new appends are held, in order, without being written or
 * acknowledged until a checkpoint makes room: the broker's hooks wait on them, so devices see
 * no PUBACK and aedes stops reading their sockets, and nothing is dropped.
 */
export interface JournalPosition {
  segment: number;
  /** Byte offset just after the record. */
  offset: number;
}

export interface JournalRecord {
  /** Unique across nodes and stable across replays: `${nodeId}:${segment}:${startOffset}`. */
  id: string;
  receivedAtMs: number;
  topic: string;
  clientId: string;
  payload: Buffer;
  position: JournalPosition;
}

export interface JournalOptions {
  segmentBytes: number;
  /** Journaled-but-not-stored bytes at which appends are held; unbounded when absent. */
  maxBufferedBytes?: number;
  onFlush?: (seconds: number, records: number) => void;
  /** Called whenever the buffered byte count changes (metrics). */
  onBuffered?: (bytes: number) => void;
  /** A checkpoint could not be written; the next one retries, and until then more is replayed after a crash. */
  onCheckpointError?: (err: Error) => void;
}

type Done = (err?: Error | null) => void;

interface Pending {
  header: Buffer;
  payload: Buffer;
  receivedAtMs: number;
  topic: string;
  clientId: string;
  done: Done | undefined;
}

const HEADER_BYTES = 16;
const SEGMENT_NAME = /^(\d{12})\.log$/;

export class Journal {
  /** Called with each group of records once they are durable, in order. */
  onDurable: (records: JournalRecord[]) => void = () => undefined;

  private pending: Pending[] = [];
  private flushing = false;
  private closed = false;
  private idle: (() => void) | undefined;
  private checkpointWriting = false;
  private checkpointNext: JournalPosition | undefined;
  /** Appends waiting for room under maxBufferedBytes, in arrival order. */
  private held: Pending[] = [];
  /** Bytes appended (written or pending) since open, recovered backlog included: a position's address is base of its segment + offset. */
  private appendedBytes: number;
  private checkpointedBytes = 0;
  private readonly segmentBase: Map<number, number>;

  private constructor(
    private readonly dir: string,
    private readonly nodeId: string,
    private readonly options: JournalOptions,
    private segment: number,
    private fd: number,
    private size: number,
    recovered: Map<number, number>,
    recoveredBytes: number,
  ) {
    this.segmentBase = recovered;
    this.appendedBytes = recoveredBytes;
    this.segmentBase.set(segment, recoveredBytes);
  }

  /** Opens the journal in dir, recovering what was journaled after the last checkpoint. */
  static async open(dir: string, options: JournalOptions): Promise<{ journal: Journal; backlog: JournalRecord[] }> {
    await mkdir(dir, { recursive: true });
    const nodeId = await readOrCreateNodeId(dir);
    const checkpoint = await readCheckpoint(dir);
    const segments = await listSegments(dir);
    const backlog: JournalRecord[] = [];
    const recovered = new Map<number, number>();
    let recoveredBytes = 0;
    for (const segment of segments) {
      if (segment < checkpoint.segment) continue;
      const from = segment === checkpoint.segment ? checkpoint.offset : 0;
      recovered.set(segment, recoveredBytes - from);
      recoveredBytes += Math.max(0, (await recoverSegment(dir, nodeId, segment, from, backlog)) - from);
    }
    // Nothing left to replay: every old segment is stored, so none needs to outlive this start.
    if (backlog.length === 0) for (const old of segments) await unlink(join(dir, segmentName(old)));
    // Always append to a fresh segment: recovered segments stay read-only until checkpointed away.
    const segment = (segments.at(-1) ?? 0) + 1;
    const fd = openSegment(dir, segment);
    if (backlog.length === 0) {
      recovered.clear();
      recoveredBytes = 0;
    }
    const journal = new Journal(dir, nodeId, options, segment, fd, 0, recovered, recoveredBytes);
    return { journal, backlog };
  }

  append(topic: string, clientId: string, payload: Buffer, receivedAtMs: number, done?: Done): void {
    if (this.closed) {
      done?.(new Error('journal is closed'));
      return;
    }
    const topicBytes = Buffer.byteLength(topic);
    const clientBytes = Buffer.byteLength(clientId);
    const header = Buffer.allocUnsafe(HEADER_BYTES + topicBytes + clientBytes);
    header.writeUInt32LE(header.length + payload.length, 0);
    header.writeDoubleLE(receivedAtMs, 4);
    header.writeUInt16LE(topicBytes, 12);
    header.writeUInt16LE(clientBytes, 14);
    header.write(topic, HEADER_BYTES);
    header.write(clientId, HEADER_BYTES + topicBytes);
    this.held.push({ header, payload, receivedAtMs, topic, clientId, done });
    this.admit();
  }

  /** Journaled bytes not yet checkpointed as stored, including those being written. */
  get bufferedBytes(): number {
    return this.appendedBytes - this.checkpointedBytes;
  }

  /** At the cap: new appends wait (unacknowledged) until the store catches up. */
  get full(): boolean {
    return this.options.maxBufferedBytes !== undefined && this.bufferedBytes >= this.options.maxBufferedBytes;
  }

  /** Everything up to pos has been stored; older segments may go. Writes are coalesced, latest wins. */
  checkpoint(pos: JournalPosition): void {
    const base = this.segmentBase.get(pos.segment);
    if (base !== undefined && base + pos.offset > this.checkpointedBytes) {
      this.checkpointedBytes = base + pos.offset;
      for (const segment of this.segmentBase.keys()) if (segment < pos.segment) this.segmentBase.delete(segment);
      this.options.onBuffered?.(this.bufferedBytes);
      this.admit();
    }
    this.checkpointNext = pos;
    if (!this.checkpointWriting) this.writeCheckpoints().catch((err: Error) => this.options.onCheckpointError?.(err));
  }

  /** Stops appending once the flush in hand is durable. Checkpoints may still be written until settle(). */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.held.splice(0)) p.done?.(new Error('journal is closed'));
    if (this.flushing) await new Promise<void>((resolve) => (this.idle = resolve));
    closeSync(this.fd);
  }

  /** Resolves when the last checkpoint asked for is on disk. */
  async settle(): Promise<void> {
    while (this.checkpointWriting) await new Promise((r) => setTimeout(r, 5));
  }

  /** Moves held appends into the next flush while under the cap, oldest first. */
  private admit(): void {
    if (this.closed) return;
    let moved = false;
    while (this.held.length > 0 && !this.full) {
      const p = this.held.shift()!;
      this.appendedBytes += p.header.length + p.payload.length;
      this.pending.push(p);
      moved = true;
    }
    if (moved) this.options.onBuffered?.(this.bufferedBytes);
    if (this.pending.length > 0 && !this.flushing) this.flush();
  }

  private flush(): void {
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    const started = process.hrtime.bigint();
    const buffers: Buffer[] = new Array(batch.length * 2);
    let batchBytes = 0;
    for (let i = 0; i < batch.length; i++) {
      buffers[2 * i] = batch[i].header;
      buffers[2 * i + 1] = batch[i].payload;
      batchBytes += batch[i].header.length + batch[i].payload.length;
    }
    const startSize = this.size;
    writev(this.fd, buffers, startSize, (writeErr, written) => {
      if (writeErr) return this.flushFailed(batch, startSize, writeErr);
      // libuv reports a write cut short (disk full, file size limit) as success with fewer bytes.
      if (written !== batchBytes) return this.flushFailed(batch, startSize, new Error(`journal write cut short: ${written} of ${batchBytes} bytes`));
      fdatasync(this.fd, (syncErr) => {
        if (syncErr) return this.flushFailed(batch, startSize, syncErr);
        this.size = startSize + written;
        const records = this.toRecords(batch, startSize);
        for (const p of batch) p.done?.();
        this.options.onFlush?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
        this.onDurable(records);
        this.afterFlush();
      });
    });
  }

  private toRecords(batch: Pending[], startSize: number): JournalRecord[] {
    const records: JournalRecord[] = new Array(batch.length);
    let offset = startSize;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      const end = offset + p.header.length + p.payload.length;
      records[i] = {
        id: `${this.nodeId}:${this.segment}:${offset}`,
        receivedAtMs: p.receivedAtMs,
        topic: p.topic,
        clientId: p.clientId,
        payload: p.payload,
        position: { segment: this.segment, offset: end },
      };
      offset = end;
    }
    return records;
  }

  /** Nothing of a failed flush was acknowledged: cut the file back and fail those messages (clients resend). */
  private flushFailed(batch: Pending[], startSize: number, err: Error): void {
    ftruncate(this.fd, startSize, () => {
      for (const p of batch) this.appendedBytes -= p.header.length + p.payload.length;
      this.options.onBuffered?.(this.bufferedBytes);
      for (const p of batch) p.done?.(err);
      this.afterFlush();
    });
  }

  private afterFlush(): void {
    if (this.size >= this.options.segmentBytes) this.rotate();
    this.admit();
    if (this.pending.length > 0 && !this.closed) return this.flush();
    this.flushing = false;
    if (this.pending.length > 0) for (const p of this.pending.splice(0)) p.done?.(new Error('journal is closed'));
    this.idle?.();
  }

  private rotate(): void {
    closeSync(this.fd);
    this.segment += 1;
    this.fd = openSegment(this.dir, this.segment);
    this.size = 0;
    // Appends admitted but not yet written will land at the start of this segment.
    const unwritten = this.pending.reduce((n, p) => n + p.header.length + p.payload.length, 0);
    this.segmentBase.set(this.segment, this.appendedBytes - unwritten);
  }

  private async writeCheckpoints(): Promise<void> {
    this.checkpointWriting = true;
    try {
      while (this.checkpointNext) {
        const pos = this.checkpointNext;
        this.checkpointNext = undefined;
        const tmp = join(this.dir, 'checkpoint.tmp');
        await writeFile(tmp, JSON.stringify(pos));
        await rename(tmp, join(this.dir, 'checkpoint'));
        for (const segment of await listSegments(this.dir)) {
          if (segment < pos.segment) await unlink(join(this.dir, segmentName(segment))).catch(() => undefined);
        }
      }
    } finally {
      this.checkpointWriting = false;
    }
  }
}

function segmentName(segment: number): string {
  return `${String(segment).padStart(12, '0')}.log`;
}

function openSegment(dir: string, segment: number): number {
  const fd = openSync(join(dir, segmentName(segment)), 'a+');
  // The new file's directory entry must be durable too, or a synced record could vanish with it.
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return fd;
}

async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((n) => SEGMENT_NAME.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function readCheckpoint(dir: string): Promise<JournalPosition> {
  try {
    const pos = JSON.parse(await readFile(join(dir, 'checkpoint'), 'utf8')) as JournalPosition;
    if (Number.isInteger(pos.segment) && Number.isInteger(pos.offset)) return pos;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { segment: 0, offset: 0 };
}

async function readOrCreateNodeId(dir: string): Promise<string> {
  const file = join(dir, 'node-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = randomBytes(4).toString('hex');
    await writeFile(file, id);
    return id;
  }
}

/** Appends the segment's whole records from `from` to out; returns the offset where they end. */
async function recoverSegment(dir: string, nodeId: string, segment: number, from: number, out: JournalRecord[]): Promise<number> {
  const file = join(dir, segmentName(segment));
  const data = await readFile(file);
  let offset = from;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    if (length < HEADER_BYTES || offset + length > data.length) break;
    const topicBytes = data.readUInt16LE(offset + 12);
    const clientBytes = data.readUInt16LE(offset + 14);
    const topicStart = offset + HEADER_BYTES;
    const payloadStart = topicStart + topicBytes + clientBytes;
    out.push({
      id: `${nodeId}:${segment}:${offset}`,
      receivedAtMs: data.readDoubleLE(offset + 4),
      topic: data.toString('utf8', topicStart, topicStart + topicBytes),
      clientId: data.toString('utf8', topicStart + topicBytes, payloadStart),
      payload: data.subarray(payloadStart, offset + length),
      position: { segment, offset: offset + length },
    });
    offset += length;
  }
  if (offset < data.length) await truncate(file, offset);
  return offset;
}
