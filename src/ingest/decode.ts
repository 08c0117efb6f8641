import { isUtf8 } from 'node:buffer';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject } from '@sinclair/typebox';
import { KINDS, type Kind } from '../domain/sample.js';
import { concentratorRecordSchema, sampleSchema } from './payload-schema.js';
import type { Topic } from './topic.js';

/** Why a message or record was quarantined (docs/protocol.md lists them for integrators). */
export type QuarantineReason =
  | 'unknown_topic'
  | 'bad_json'
  | 'schema'
  | 'non_finite'
  | 'bad_timestamp'
  | 'ts_in_future'
  | 'ts_too_old'
  | 'unknown_meter'
  | 'unknown_concentrator'
  | 'not_behind_concentrator'
  | 'wiring_mismatch'
  | 'duplicate_in_message'
  /** Refused by the broker's publish ACL (src/broker/topic-acl.ts) before it reached the journal. */
  | 'acl_denied';

/** A sample that passed every check that needs no archive. `record` is the parsed JSON object itself. */
export interface DecodedSample {
  meterId: string;
  kind: Kind;
  tsMs: number;
  record: Readonly<Record<string, unknown>>;
  /** Position inside the message (0 for a single sample). */
  index: number;
}

export interface Rejection {
  reason: QuarantineReason;
  detail: string;
  /** Record index inside the message; null when the whole message is rejected. */
  index: number | null;
  meterId: string | null;
  /** The offending record, for the quarantine row; undefined = the raw payload. */
  record?: unknown;
}

export interface Decoded {
  samples: DecodedSample[];
  rejections: Rejection[];
}

export interface DecodeLimits {
  nowMs: number;
  maxFutureSkewMs: number;
}

const EPOCH_2000_MS = Date.UTC(2000, 0, 1);
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

// Compiled once: validation is on the hot path.
const compile = (build: (k: Kind) => TObject) =>
  Object.fromEntries(KINDS.map((k) => [k, TypeCompiler.Compile(build(k))])) as Record<Kind, TypeCheck<TObject>>;
const sampleChecks = compile(sampleSchema);
const recordChecks = compile(concentratorRecordSchema);

/** Parses and validates one device message. Pure: the clock comes in through limits. */
export function decodeMessage(topic: Exclude<Topic, { type: 'status' }>, payload: Buffer, limits: DecodeLimits): Decoded {
  const out: Decoded = { samples: [], rejections: [] };
  const json = parseJson(payload);
  if (!json.ok) {
    out.rejections.push({ reason: 'bad_json', detail: json.detail, index: null, meterId: null });
    return out;
  }
  if (topic.type === 'meter') {
    const items = Array.isArray(json.value) ? json.value : [json.value];
    if (items.length === 0) out.rejections.push(schemaError('payload is an empty array', null, topic.meterId));
    for (let i = 0; i < items.length; i++) {
      decodeSample(items[i], i, topic.meterId, topic.kind, sampleChecks[topic.kind], limits, out);
    }
  } else {
    const records = (json.value as { records?: unknown } | null)?.records;
    if (!Array.isArray(records) || records.length === 0 || Object.keys(json.value as object).length !== 1) {
      out.rejections.push(schemaError('expected {"records": [ ...at least one record ]}', null, null));
      return out;
    }
    for (let i = 0; i < records.length; i++) {
      const meterId = typeof (records[i] as { meter?: unknown })?.meter === 'string' ? (records[i] as { meter: string }).meter : null;
      decodeSample(records[i], i, meterId, topic.kind, recordChecks[topic.kind], limits, out);
    }
  }
  rejectDuplicates(out);
  return out;
}

/** `online` / `offline`, as plain text or {"status": ...}; undefined for anything else. */
export function decodeStatus(payload: Buffer): 'online' | 'offline' | undefined {
  const text = payload.toString('utf8').trim();
  let status: unknown = text;
  if (text.startsWith('{')) {
    try {
      status = (JSON.parse(text) as { status?: unknown }).status;
    } catch {
      return undefined;
    }
  }
  return status === 'online' || status === 'offline' ? status : undefined;
}

function decodeSample(
  item: unknown,
  index: number,
  meterId: string | null,
  kind: Kind,
  check: TypeCheck<TObject>,
  limits: DecodeLimits,
  out: Decoded,
): void {
  const nonFinite = findNonFinite(item);
  if (nonFinite) {
    out.rejections.push({ reason: 'non_finite', detail: `${nonFinite} is not a finite number`, index, meterId, record: item });
    return;
  }
  if (!check.Check(item)) {
    const first = check.Errors(item).First();
    const detail = first ? `${first.path || '/'}: ${first.message}` : 'does not match the schema';
    out.rejections.push({ ...schemaError(detail, index, meterId), record: item });
    return;
  }
  const record = item as Record<string, unknown>;
  const tsMs = parseTs(record.ts as string | number);
  if (tsMs === undefined) {
    out.rejections.push({ reason: 'bad_timestamp', detail: `ts ${JSON.stringify(record.ts)} is neither an ISO-8601 instant with offset nor epoch milliseconds`, index, meterId, record });
  } else if (tsMs < EPOCH_2000_MS) {
    out.rejections.push({ reason: 'ts_too_old', detail: `ts ${new Date(tsMs).toISOString()} is before 2000-01-01`, index, meterId, record });
  } else if (tsMs > limits.nowMs + limits.maxFutureSkewMs) {
    out.rejections.push({ reason: 'ts_in_future', detail: `ts ${new Date(tsMs).toISOString()} is ${Math.round((tsMs - limits.nowMs) / 1000)} s ahead of the server clock`, index, meterId, record });
  } else {
    out.samples.push({ meterId: meterId as string, kind, tsMs, record, index });
  }
}

/** The same meter and ts twice in one message: the first wins, the others are quarantined. */
function rejectDuplicates(out: Decoded): void {
  if (out.samples.length < 2) return;
  const seen = new Set<string>();
  out.samples = out.samples.filter((s) => {
    const key = `${s.meterId}\u0000${s.tsMs}`;
    if (!seen.has(key)) return seen.add(key);
    out.rejections.push({ reason: 'duplicate_in_message', detail: `meter ${s.meterId} at ${new Date(s.tsMs).toISOString()} appears more than once; the first is kept`, index: s.index, meterId: s.meterId, record: s.record });
    return false;
  });
}

function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false; detail: string } {
  if (!isUtf8(payload)) return { ok: false, detail: 'payload is not valid UTF-8' };
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch (err) {
    return { ok: false, detail: `payload is not JSON: ${(err as Error).message}` };
  }
}

// The range of a JavaScript Date; beyond it a timestamp cannot even be printed in an error message.
const MAX_DATE_MS = 8.64e15;

function parseTs(ts: string | number): number | undefined {
  if (typeof ts === 'number') return Math.abs(ts) <= MAX_DATE_MS ? ts : undefined;
  if (!ISO_WITH_OFFSET.test(ts)) return undefined;
  // Date.parse wants the offset as ±hh:mm.
  const ms = Date.parse(ts.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** JSON numbers too large for a double parse to ±Infinity; they must never reach a store. */
function findNonFinite(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  // for...in, not Object.entries: this runs for every record and should not build an array of pairs for each.
  for (const key in item) {
    const value = (item as Record<string, unknown>)[key];
    if (typeof value === 'number' && !Number.isFinite(value)) return key;
  }
  return undefined;
}

function schemaError(detail: string, index: number | null, meterId: string | null): Rejection {
  return { reason: 'schema', detail, index, meterId };
}
