import { closeSync, fdatasync, ftruncate, writev } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointFile, readOrCreateNodeId } from './journal-checkpoint.js';
import { listSegments, openSegment, parseRecords, readWhole, recordHeader, scanSegment, segmentName, SegmentRecord, type JournalPosition, type JournalRecord } from './journal-segments.js';

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
 * Records are laid out as in journal-segments.ts. A record cut short by a crash fails the length
 * check and is truncated at recovery; it was never acknowledged.
 *
 * Bounded: what is journaled but not yet checkpointed (stored) is the ingest buffer. Once it
 * reaches maxBufferedBytes, new appends are held, in order, without being written or
 * acknowledged until a checkpoint makes room: the broker's hooks wait on them, so devices see
 * no PUBACK and aedes stops reading their sockets, and nothing is dropped.
 *
 * Memory-bounded: the consumer holds what it was handed until it releases it (stored) or
 * checkpoints it, so at most maxMemoryBytes of unstored records are handed out at a time. Beyond
 * that, durable records stay on disk only (acknowledged all the same) and are read back from the
 * segments, in order, once the consumer has freed half the budget; the recovered backlog of a
 * restart is read the same way. A long store outage then grows the disk buffer, not the heap.
 */
export type { JournalPosition, JournalRecord } from './journal-segments.js';

export interface JournalOptions {
  segmentBytes: number;
  /** Journaled-but-not-stored bytes at which appends are held; unbounded when absent. */
  maxBufferedBytes?: number;
  /** Handed-out bytes not yet released or checkpointed beyond which records wait on disk; unbounded when absent. */
  maxMemoryBytes?: number;
  onFlush?: (seconds: number, records: number) => void;
  /** Called whenever the buffered byte count changes (metrics). */
  onBuffered?: (bytes: number) => void;
  /** Called whenever the handed-out bytes or the records waiting on disk only change (metrics). */
  onMemory?: (handedOutBytes: number, diskOnlyRecords: number) => void;
  /** A checkpoint could not be written; the next one retries, and until then more is replayed after a crash. */
  onCheckpointError?: (err: Error) => void;
  /** Records could not be read back from disk; retried after READ_RETRY_MS. */
  onReadError?: (err: Error) => void;
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

/** Bytes per read from a segment; a read never hands out more than the free memory budget. */
const READ_CHUNK_BYTES = 1024 * 1024;
const READ_RETRY_MS = 1_000;

export class Journal {
  /**
   * Called with each group of records once they are durable, in order, each record exactly once
   * per open (straight after its flush, or later read back from disk; see maxMemoryBytes).
   */
  onDurable: (records: JournalRecord[]) => void = () => undefined;

  private pending: Pending[] = [];
  private flushing = false;
  private closed = false;
  private idle: (() => void) | undefined;
  private readonly checkpoints: CheckpointFile;
  /** Appends waiting for room under maxBufferedBytes, in arrival order. */
  private held: Pending[] = [];
  /** Bytes appended (written or pending) since open, recovered backlog included: a position's address is base of its segment + offset. */
  private appendedBytes: number;
  private checkpointedBytes = 0;
  /** Address up to which the consumer is done with the records (stored): their memory is free, whether or not checkpointed. */
  private releasedBytes = 0;
  private readonly segmentBase: Map<number, number>;
  /** Address just after the last record handed to onDurable (or in the opening backlog). */
  private handedOutBytes: number;
  /** Where durable records not yet handed out begin; undefined while every durable record has been. */
  private readFrom: JournalPosition | undefined;
  /** Just after the last durable record: reads back stop here. */
  private durableEnd: JournalPosition;
  private diskOnlyRecords: number;
  private reading = false;

  private constructor(
    private readonly dir: string,
    private readonly nodeId: string,
    private readonly options: JournalOptions,
    private segment: number,
    private fd: number,
    private size: number,
    recovered: Map<number, number>,
    recoveredBytes: number,
    backlog: { from: JournalPosition; records: number } | undefined,
  ) {
    this.segmentBase = recovered;
    this.appendedBytes = recoveredBytes;
    this.segmentBase.set(segment, recoveredBytes);
    this.handedOutBytes = 0;
    this.readFrom = backlog?.from;
    this.diskOnlyRecords = backlog?.records ?? 0;
    this.durableEnd = { segment, offset: 0 };
    this.checkpoints = new CheckpointFile(dir, options.onCheckpointError);
  }

  /**
   * Opens the journal in dir, recovering what was journaled after the last checkpoint: the first
   * records of it (up to maxMemoryBytes) are the backlog; the rest follow through onDurable as
   * releases and checkpoints make room. backlogRecords counts all of it.
   */
  static async open(dir: string, options: JournalOptions): Promise<{ journal: Journal; backlog: JournalRecord[]; backlogRecords: number }> {
    await mkdir(dir, { recursive: true });
    const nodeId = await readOrCreateNodeId(dir);
    const checkpoint = await CheckpointFile.read(dir);
    const segments = await listSegments(dir);
    const recovered = new Map<number, number>();
    let recoveredBytes = 0;
    let backlogRecords = 0;
    let from: JournalPosition | undefined;
    for (const segment of segments) {
      if (segment < checkpoint.segment) continue;
      const start = segment === checkpoint.segment ? checkpoint.offset : 0;
      recovered.set(segment, recoveredBytes - start);
      const { end, records } = await scanSegment(dir, segment, start, READ_CHUNK_BYTES);
      from ??= { segment, offset: start };
      recoveredBytes += Math.max(0, end - start);
      backlogRecords += records;
    }
    // Nothing left to replay: every old segment is stored, so none needs to outlive this start.
    if (backlogRecords === 0) for (const old of segments) await unlink(join(dir, segmentName(old)));
    // Always append to a fresh segment: recovered segments stay read-only until checkpointed away.
    const segment = (segments.at(-1) ?? 0) + 1;
    const fd = openSegment(dir, segment);
    if (backlogRecords === 0) {
      recovered.clear();
      recoveredBytes = 0;
    }
    const backlog = backlogRecords > 0 && from ? { from, records: backlogRecords } : undefined;
    const journal = new Journal(dir, nodeId, options, segment, fd, 0, recovered, recoveredBytes, backlog);
    return { journal, backlog: await journal.readBack(), backlogRecords };
  }

  append(topic: string, clientId: string, payload: Buffer, receivedAtMs: number, done?: Done): void {
    if (this.closed) {
      done?.(new Error('journal is closed'));
      return;
    }
    this.held.push({ header: recordHeader(topic, clientId, payload.length, receivedAtMs), payload, receivedAtMs, topic, clientId, done });
    this.admit();
  }

  /** Journaled bytes not yet checkpointed as stored, including those being written. */
  get bufferedBytes(): number {
    return this.appendedBytes - this.checkpointedBytes;
  }

  /** Bytes handed to the consumer and not yet released: what of the backlog is held in memory. */
  get memoryBytes(): number {
    return this.handedOutBytes - this.releasedBytes;
  }

  /** At the cap: new appends wait (unacknowledged) until the store catches up. */
  get full(): boolean {
    return this.options.maxBufferedBytes !== undefined && this.bufferedBytes >= this.options.maxBufferedBytes;
  }

  /**
   * The consumer holds nothing of the records up to pos any more (they are stored), though they stay in the journal
   * until checkpointed: their bytes leave the memory budget. What follows storing (rules, their state's persist)
   * may take many seconds to checkpoint, and must not hold back the records behind it meanwhile.
   */
  release(pos: JournalPosition): void {
    const base = this.segmentBase.get(pos.segment);
    if (base === undefined || base + pos.offset <= this.releasedBytes) return;
    this.releasedBytes = base + pos.offset;
    this.options.onMemory?.(this.memoryBytes, this.diskOnlyRecords);
    this.pump();
  }

  /** Everything up to pos has been stored and what follows is durable; older segments may go. Writes are coalesced, latest wins. */
  checkpoint(pos: JournalPosition): void {
    const base = this.segmentBase.get(pos.segment);
    if (base !== undefined && base + pos.offset > this.checkpointedBytes) {
      this.checkpointedBytes = base + pos.offset;
      this.releasedBytes = Math.max(this.releasedBytes, this.checkpointedBytes);
      for (const segment of this.segmentBase.keys()) if (segment < pos.segment) this.segmentBase.delete(segment);
      this.options.onBuffered?.(this.bufferedBytes);
      this.options.onMemory?.(this.memoryBytes, this.diskOnlyRecords);
      this.admit();
      this.pump();
    }
    this.checkpoints.write(pos);
  }

  /** Stops appending once the flush in hand is durable. Checkpoints may still be written until settle(). */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.held.splice(0)) p.done?.(new Error('journal is closed'));
    if (this.flushing) await new Promise<void>((resolve) => (this.idle = resolve));
    closeSync(this.fd);
  }

  /** Resolves when the last checkpoint asked for is on disk. */
  settle(): Promise<void> {
    return this.checkpoints.settle();
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
        for (const p of batch) p.done?.();
        this.options.onFlush?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
        this.durable(batch, startSize, written);
        this.afterFlush();
      });
    });
  }

  /** Hands a flushed group to the consumer if the memory budget allows and nothing older waits on disk. */
  private durable(batch: Pending[], startSize: number, written: number): void {
    this.durableEnd = { segment: this.segment, offset: startSize + written };
    const max = this.options.maxMemoryBytes ?? Infinity;
    if (!this.readFrom && this.memoryBytes + written <= max) {
      this.handedOutBytes = this.segmentBase.get(this.segment)! + this.durableEnd.offset;
      this.options.onMemory?.(this.memoryBytes, this.diskOnlyRecords);
      this.onDurable(this.toRecords(batch, startSize));
      return;
    }
    this.readFrom ??= { segment: this.segment, offset: startSize };
    this.diskOnlyRecords += batch.length;
    this.options.onMemory?.(this.memoryBytes, this.diskOnlyRecords);
    this.pump();
  }

  /** Reads records waiting on disk back to the consumer once at most half the budget is held. */
  private pump(): void {
    const max = this.options.maxMemoryBytes ?? Infinity;
    if (!this.readFrom || this.reading || this.closed || this.memoryBytes > max / 2) return;
    this.reading = true;
    this.readBack().then(
      (records) => {
        this.reading = false;
        if (records.length === 0 || this.closed) return;
        this.onDurable(records);
        this.pump();
      },
      (err: Error) => {
        this.reading = false;
        this.options.onReadError?.(err);
        setTimeout(() => this.pump(), READ_RETRY_MS).unref();
      },
    );
  }

  /**
   * The next records waiting on disk, in order, as many as the free budget holds (at least one
   * when nothing is handed out, however large). Counts them as handed out.
   */
  private async readBack(): Promise<JournalRecord[]> {
    const out: JournalRecord[] = [];
    const max = this.options.maxMemoryBytes ?? Infinity;
    while (this.readFrom) {
      const from = this.readFrom;
      const end = this.durableEnd;
      if (from.segment === end.segment && from.offset >= end.offset) {
        this.readFrom = undefined;
        break;
      }
      const free = max - this.memoryBytes;
      if (free <= 0 && (out.length > 0 || this.memoryBytes > 0)) break;
      const limit = from.segment === end.segment ? end.offset - from.offset : Infinity;
      const { buf, bytes } = await readWhole(this.dir, from.segment, from.offset, Math.max(1, Math.min(READ_CHUNK_BYTES, free, limit)));
      if (bytes === 0) {
        // The end of an older segment: the records continue at the start of the next one.
        if (from.segment < end.segment) this.readFrom = { segment: from.segment + 1, offset: 0 };
        else break;
        continue;
      }
      // A record longer than the free budget is read whole, but handed out only when nothing else is.
      if (bytes > free && (out.length > 0 || this.memoryBytes > 0)) break;
      const records = parseRecords(buf, this.nodeId, from.segment, from.offset);
      for (const r of records) out.push(r);
      this.readFrom = records.at(-1)!.position;
      this.handedOutBytes = this.segmentBase.get(from.segment)! + this.readFrom.offset;
      this.diskOnlyRecords -= records.length;
    }
    this.options.onMemory?.(this.memoryBytes, this.diskOnlyRecords);
    return out;
  }

  private toRecords(batch: Pending[], startSize: number): JournalRecord[] {
    const records: JournalRecord[] = new Array(batch.length);
    let offset = startSize;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      const end = offset + p.header.length + p.payload.length;
      records[i] = new SegmentRecord(this.nodeId, this.segment, offset, end, p.receivedAtMs, p.topic, p.clientId, p.payload);
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
}
