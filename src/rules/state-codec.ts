import { quietTiers, type CounterState } from './counter.js';
import type { MeterRuleState } from './evaluate.js';
import { checkpointOf, ownWindow, windowOf, type TrackState } from './window.js';

/**
 * The stored form of a meter's rule state. Snapshots are written for every meter evaluated between two
 * persists, so their size is PostgreSQL's write volume and the flush's CPU: the plain JSON of a 3P4W meter is
 * ~12 KB, mostly 13-digit timestamps repeated in every window point and checkpoints that say "nothing running".
 * Packed, a window's timestamps are [first, step, count] when evenly spaced (nearly always: 15-minute points),
 * else its first timestamp and then the steps between points; a quiet checkpoint is [lastTsMs, tierCount]. The
 * in-memory form keeps timestamps and values apart (window.ts). head is left out: it is recomputed from
 * base and window when needed. States stored before packing are read as they are.
 */

/** Marks a packed entry; a plain stored state never has this key. */
const PACKED = '~';

/** { g: [first, step, count] } when evenly spaced, else { t: [first, step, step, ...] }. */
type Timestamps = { g: [number, number, number] } | { t: number[] };
type PackedSeries = Timestamps & { v: unknown[] };
type PackedTrack = PackedSeries & {
  [PACKED]: 1;
  b: CounterState | [number | null, number];
};
interface PackedRecent {
  [PACKED]: 2;
  r: Record<string, PackedSeries>;
}

export function snapshotState(state: MeterRuleState): string {
  let out = '{';
  for (const key in state) {
    const value = state[key];
    if (value === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${JSON.stringify(pack(value))}`;
  }
  return `${out}}`;
}

/** The in-memory state from a stored one (parsed JSON), packed or not. */
export function restoreState(stored: Record<string, unknown>): MeterRuleState {
  const out: MeterRuleState = {};
  for (const key in stored) out[key] = unpack(stored[key]);
  return out;
}

function pack(value: unknown): unknown {
  if (isTrackState(value)) {
    const { ts, values } = windowOf(value);
    const packed: PackedTrack = { [PACKED]: 1, b: packBase(checkpointOf(value)), ...packSeries(ts, values) };
    return packed;
  }
  if (isRecent(value)) {
    const r: Record<string, PackedSeries> = {};
    for (const kind in value) r[kind] = packSeries(value[kind].map((p) => p[0]), value[kind].map((p) => p[1]));
    const packed: PackedRecent = { [PACKED]: 2, r };
    return packed;
  }
  return value;
}

function unpack(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !(PACKED in value)) return value;
  const packed = value as PackedTrack | PackedRecent;
  if (packed[PACKED] === 1) {
    const track = packed as PackedTrack;
    const { ts, v } = series(track);
    return ownWindow(unpackBase(track.b), ts, v as TrackState['values']);
  }
  const recent: Record<string, [number, unknown][]> = {};
  for (const [kind, s] of Object.entries((packed as PackedRecent).r)) {
    const { ts, v } = series(s);
    recent[kind] = ts.map((t, i) => [t, v[i]]);
  }
  return recent;
}

function isTrackState(value: unknown): value is TrackState {
  return value !== null && typeof value === 'object' && 'base' in value && Array.isArray((value as TrackState).ts);
}

/** RECENT_KEY's shape (evaluate.ts): every property a list of [tsMs, values] pairs. */
function isRecent(value: unknown): value is Record<string, [number, unknown][]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const lists = Object.values(value);
  return lists.length > 0 && lists.every((l) => Array.isArray(l) && l.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number'));
}

function packSeries(ts: readonly number[], v: readonly unknown[]): PackedSeries {
  const n = ts.length;
  const step = n > 1 ? ts[1] - ts[0] : 0;
  let even = true;
  for (let i = 2; i < n && even; i++) even = ts[i] === ts[0] + i * step;
  if (even && n > 0) return { g: [ts[0], step, n], v: v as unknown[] };
  const t = new Array<number>(n);
  for (let i = 0; i < n; i++) t[i] = i === 0 ? ts[0] : ts[i] - ts[i - 1];
  return { t, v: v as unknown[] };
}

function series(s: PackedSeries): { ts: number[]; v: unknown[] } {
  const n = 'g' in s ? s.g[2] : s.t.length;
  const ts = new Array<number>(n);
  const v = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    ts[i] = 'g' in s ? s.g[0] + i * s.g[1] : i === 0 ? s.t[0] : ts[i - 1] + s.t[i];
    v[i] = s.v[i] ?? null;
  }
  return { ts, v };
}

/** A checkpoint with no alarm, no count running and its last sample valued (most of them). */
function isQuiet(c: CounterState): boolean {
  if (c.active !== null || c.runStartTsMs !== null || c.runPeakValue !== null || c.lastValueTsMs !== c.lastTsMs) return false;
  for (const t of c.tiers) if (t.count !== 0 || t.raised || t.clearCount !== 0) return false;
  return true;
}

function packBase(c: CounterState): PackedTrack['b'] {
  return isQuiet(c) ? [c.lastTsMs, c.tiers.length] : c;
}

function unpackBase(b: PackedTrack['b']): CounterState {
  if (!Array.isArray(b)) return b;
  const [lastTsMs, tierCount] = b;
  return {
    lastTsMs,
    lastValueTsMs: lastTsMs,
    runStartTsMs: null,
    runPeakValue: null,
    tiers: quietTiers(tierCount),
    active: null,
  };
}
