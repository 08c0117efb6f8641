import { quietTiers, tierIsQuiet, type CounterState } from './counter.js';
import { RECENT_KEY, type MeterRuleState } from './evaluate.js';
import { isResting, type RestingTrack } from './resting.js';
import { checkpointOf, ownWindow, sameValue, type TrackState } from './window.js';

/**
 * The stored form of a meter's rule state. Snapshots are written for every meter evaluated between two
 * persists, so their size is PostgreSQL's write volume and the flush's CPU: the plain JSON of a 3P4W meter is
 * ~12 KB, mostly 13-digit timestamps repeated in every window point and checkpoints that say "nothing running".
 * Packed, a window's timestamps are [first, step, count] when evenly spaced (nearly always: 15-minute points),
 * else its first timestamp and then the steps between points; a quiet checkpoint is [lastTsMs, tierCount]. The
 * in-memory form keeps timestamps and values apart (window.ts). head is left out: it is recomputed from
 * base and window when needed. A window with the same points as one written before it in the same snapshot (V2
 * reads what V1 reads; the supply-loss conditions are all 0 while the supply is sound: 13 of a 3P4W meter's 20
 * windows) is written as a reference to that entry's key. A resting track (resting.ts) is its small marker, as
 * it is. States stored before packing are read as they are.
 */

/** Marks a packed entry; a plain stored state never has this key. */
const PACKED = '~';

/** { g: [first, step, count] } when evenly spaced, else { t: [first, step, step, ...] }. */
type Timestamps = { g: [number, number, number] } | { t: number[] };
type PackedSeries = Timestamps & { v: unknown[] };
type PackedTrack = (PackedSeries | { s: string }) & {
  [PACKED]: 1;
  b: CounterState | [number | null, number];
};
interface PackedRecent {
  [PACKED]: 2;
  r: Record<string, PackedSeries>;
}

/**
 * Written straight from the in-memory state, with no packed copy of it built first: building one (window slices,
 * spreads, a pair of arrays per kind) cost more than the JSON, and a persist writes thousands of meters in a row.
 * The text is what JSON.stringify gives for the packed form.
 */
export function snapshotState(state: MeterRuleState): string {
  let out = '{';
  written.length = 0;
  for (const key in state) {
    const value = state[key];
    if (value === undefined) continue;
    if (out.length > 1) out += ',';
    const quotedKey = quoted(key);
    out += `${quotedKey}:`;
    if (isTrackState(value)) {
      // Read from a snapshot written before windows were views of shared buffers: no from and to.
      const track = value.from === undefined ? ownWindow(value.base, value.ts, value.values) : value;
      out += trackJson(track);
      written.push(track, quotedKey);
    } else if (key === RECENT_KEY) out += recentJson(value as Record<string, [number, unknown][]>);
    else out += isResting(value) ? restingJson(value) : JSON.stringify(value);
  }
  written.length = 0;
  return `${out}}`;
}

/** The tracks of the snapshot being written, and their quoted keys: [track, key, track, key, ...]. */
const written: (TrackState | string)[] = [];

/** The in-memory state from a stored one (parsed JSON), packed or not. */
export function restoreState(stored: Record<string, unknown>): MeterRuleState {
  const out: MeterRuleState = {};
  for (const key in stored) out[key] = unpack(stored[key], stored);
  return out;
}

function trackJson(s: TrackState): string {
  const same = sameWindowWritten(s);
  const points = same === undefined ? seriesJson(s.from, s.to, (i) => s.ts[i], (i) => pointJson(s.values[i])) : `"s":${same}`;
  return `{"${PACKED}":1,"b":${baseJson(s)},${points}}`;
}

/** packBase(checkpointOf(s)) as JSON, without building the checkpoint when quiet steps lead to it (most tracks). */
function baseJson(s: TrackState): string {
  const quietSince = s.baseAt < s.from && s.base.tiers.every(tierIsQuiet);
  return quietSince ? `[${s.ts[s.from - 1]},${s.base.tiers.length}]` : JSON.stringify(packBase(checkpointOf(s)));
}

/** The quoted key of a track written earlier in this snapshot whose points are s's, if any. */
function sameWindowWritten(s: TrackState): string | undefined {
  const n = s.to - s.from;
  for (let w = 0; w < written.length; w += 2) {
    const other = written[w] as TrackState;
    // Most windows differ in their newest value: checked first.
    if (other.to - other.from !== n || (n > 0 && !sameValue(other.values[other.to - 1], s.values[s.to - 1]))) continue;
    let same = true;
    for (let i = 0; i < n && same; i++) same = other.ts[other.from + i] === s.ts[s.from + i] && sameValue(other.values[other.from + i], s.values[s.from + i]);
    if (same) return written[w + 1] as string;
  }
  return undefined;
}

/** What JSON.stringify gives for a resting track's marker, written directly: most of a meter's tracks rest. */
function restingJson(r: RestingTrack): string {
  return `{"rests":${JSON.stringify(r.rests)},"after":${r.after === null ? 'null' : numberJson(r.after)},"from":${numberJson(r.from)}}`;
}

function recentJson(recent: Record<string, [number, unknown][]>): string {
  let out = `{"${PACKED}":2,"r":{`;
  let first = true;
  for (const kind in recent) {
    const list = recent[kind];
    // The values in one native JSON.stringify: the text writing each object out gave, in about 20 % less time.
    for (let i = 0; i < list.length; i++) recentValues[i] = list[i][1];
    recentValues.length = list.length;
    out += `${first ? '' : ','}${quoted(kind)}:{${timestampsJson(0, list.length, (i) => list[i][0])},"v":${JSON.stringify(recentValues)}}`;
    first = false;
  }
  recentValues.length = 0;
  return `${out}}}`;
}

const recentValues: unknown[] = [];

/** "g":[first,step,count] when evenly spaced, else "t":[first,step,step,...]; then "v":[...]: PackedSeries. */
function seriesJson(from: number, to: number, tsAt: (i: number) => number, valueJson: (i: number) => string): string {
  let out = `${timestampsJson(from, to, tsAt)},"v":[`;
  for (let i = from; i < to; i++) out += i === from ? valueJson(i) : `,${valueJson(i)}`;
  return `${out}]`;
}

/** A PackedSeries' timestamps: "g":[first,step,count] when evenly spaced, else "t":[first,step,step,...]. */
function timestampsJson(from: number, to: number, tsAt: (i: number) => number): string {
  const n = to - from;
  const step = n > 1 ? tsAt(from + 1) - tsAt(from) : 0;
  let even = n > 0;
  for (let i = 2; i < n && even; i++) even = tsAt(from + i) === tsAt(from) + i * step;
  if (even) return `"g":[${tsAt(from)},${step},${n}]`;
  let out = '"t":[';
  for (let i = from; i < to; i++) out += i === from ? `${tsAt(i)}` : `,${tsAt(i) - tsAt(i - 1)}`;
  return `${out}]`;
}

const numberJson = (v: number): string => (Number.isFinite(v) ? `${v}` : 'null');

/** A window value: a number, null, or one per tier. */
function pointJson(v: unknown): string {
  if (typeof v === 'number') return numberJson(v);
  if (v === null || v === undefined) return 'null';
  if (!Array.isArray(v)) return JSON.stringify(v);
  let out = '[';
  for (let i = 0; i < v.length; i++) out += i === 0 ? pointJson(v[i]) : `,${pointJson(v[i])}`;
  return `${out}]`;
}

// The kinds (voltage, ...) and the state keys of the tracks (V1:A, ...), quoted once.
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 128;
function quoted(name: string): string {
  let q = quotedNames.get(name);
  if (q !== undefined) return q;
  q = JSON.stringify(name);
  if (quotedNames.size < MAX_QUOTED_NAMES) quotedNames.set(name, q);
  return q;
}

function unpack(value: unknown, stored: Record<string, unknown>): unknown {
  if (value === null || typeof value !== 'object' || !(PACKED in value)) return value;
  const packed = value as PackedTrack | PackedRecent;
  if (packed[PACKED] === 1) {
    const track = packed as PackedTrack;
    // A reference gets arrays of its own: windows append to their buffers in place (window.ts).
    const { ts, v } = series('s' in track ? (stored[track.s] as PackedSeries) : track);
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
  return c.tiers.every(tierIsQuiet);
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
