import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The journal's files: numbered segments of records, read back in bounded chunks so neither a
 * restart nor a long store outage holds more than a chunk of the backlog per read.
 *
 * Record layout: u32 length (whole record) | f64 receivedAtMs | u16 topic bytes | u16 client id
 * bytes | topic | client id | payload.
 */

/** Where a record ends: its segment and the byte offset just after it. */
export interface JournalPosition {
  segment: number;
  /** Byte offset just after the record. */
  offset: number;
}

export interface JournalRecord {
  /** Unique across nodes and stable across replays: `${nodeId}:${segment}:${startOffset}`. */
  readonly id: string;
  readonly receivedAtMs: number;
  readonly topic: string;
  readonly clientId: string;
  readonly payload: Buffer;
  readonly position: JournalPosition;
}

/**
 * A record of a segment. Its id is made when asked for: only quarantined messages and log lines need one, and
 * formatting it for every record cost the ingesting thread about 3 % under single-sample messages.
 */
export class SegmentRecord implements JournalRecord {
  readonly position: JournalPosition;

  constructor(
    private readonly nodeId: string,
    segment: number,
    private readonly start: number,
    end: number,
    readonly receivedAtMs: number,
    readonly topic: string,
    readonly clientId: string,
    readonly payload: Buffer,
  ) {
    this.position = { segment, offset: end };
  }

  get id(): string {
    return `${this.nodeId}:${this.position.segment}:${this.start}`;
  }
}

export const HEADER_BYTES = 16;
const SEGMENT_NAME = /^(\d{12})\.log$/;

/** A record's header for this topic, client and payload length (the layout above). */
export function recordHeader(topic: string, clientId: string, payloadBytes: number, receivedAtMs: number): Buffer {
  const topicBytes = Buffer.byteLength(topic);
  const clientBytes = Buffer.byteLength(clientId);
  const header = Buffer.allocUnsafe(HEADER_BYTES + topicBytes + clientBytes);
  header.writeUInt32LE(header.length + payloadBytes, 0);
  header.writeDoubleLE(receivedAtMs, 4);
  header.writeUInt16LE(topicBytes, 12);
  header.writeUInt16LE(clientBytes, 14);
  header.write(topic, HEADER_BYTES);
  header.write(clientId, HEADER_BYTES + topicBytes);
  return header;
}

export function segmentName(segment: number): string {
  return `${String(segment).padStart(12, '0')}.log`;
}

export function openSegment(dir: string, segment: number): number {
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

export async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((n) => SEGMENT_NAME.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The whole records at the start of buf (read at `start` of its segment). */
export function parseRecords(buf: Buffer, nodeId: string, segment: number, start: number): JournalRecord[] {
  const out: JournalRecord[] = [];
  let at = 0;
  for (let length = recordLength(buf, at); length > 0; length = recordLength(buf, at)) {
    const topicBytes = buf.readUInt16LE(at + 12);
    const clientBytes = buf.readUInt16LE(at + 14);
    const topicStart = at + HEADER_BYTES;
    const payloadStart = topicStart + topicBytes + clientBytes;
    out.push(
      new SegmentRecord(
        nodeId, segment, start + at, start + at + length, buf.readDoubleLE(at + 4),
        buf.toString('utf8', topicStart, topicStart + topicBytes), buf.toString('utf8', topicStart + topicBytes, payloadStart),
        buf.subarray(payloadStart, at + length),
      ),
    );
    at += length;
  }
  return out;
}

/** Length of the whole record at `at`, or 0 when the bytes there are not one (end, or cut short by a crash). */
function recordLength(buf: Buffer, at: number): number {
  if (at + HEADER_BYTES > buf.length) return 0;
  const length = buf.readUInt32LE(at);
  return length < HEADER_BYTES || at + length > buf.length ? 0 : length;
}

/**
 * Reads whole records of a segment from `offset`: at most maxBytes, but always the next record
 * whole when there is one, however long. `bytes` is 0 at the end of what the file holds whole.
 */
export async function readWhole(dir: string, segment: number, offset: number, maxBytes: number): Promise<{ buf: Buffer; bytes: number; count: number }> {
  const file = await open(join(dir, segmentName(segment)), 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!file) return { buf: Buffer.alloc(0), bytes: 0, count: 0 };
  try {
    let buf = await readAt(file, offset, Math.max(maxBytes, HEADER_BYTES));
    const first = recordLength(buf, 0);
    if (first === 0 && buf.length >= HEADER_BYTES && buf.readUInt32LE(0) > buf.length) buf = await readAt(file, offset, buf.readUInt32LE(0));
    let bytes = 0;
    let count = 0;
    for (let length = recordLength(buf, 0); length > 0; length = recordLength(buf, bytes), count++) bytes += length;
    return { buf: buf.subarray(0, bytes), bytes, count };
  } finally {
    await file.close();
  }
}

async function readAt(file: Awaited<ReturnType<typeof open>>, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const { bytesRead } = await file.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/**
 * Walks a segment's whole records from `from` in chunks, without keeping them, and cuts off a
 * record torn by a crash (it was never acknowledged). Returns where the records end and how many.
 */
export async function scanSegment(dir: string, segment: number, from: number, chunkBytes: number): Promise<{ end: number; records: number }> {
  let end = from;
  let records = 0;
  for (;;) {
    const { bytes, count } = await readWhole(dir, segment, end, chunkBytes);
    if (bytes === 0) break;
    records += count;
    end += bytes;
  }
  const file = join(dir, segmentName(segment));
  if (end < (await stat(file)).size) await truncate(file, end);
  return { end, records };
}
