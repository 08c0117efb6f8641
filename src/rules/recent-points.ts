import type { AnySample, LoadValues, PhaseValues } from '../domain/sample.js';
import { mergePoints, type CurveKind, type CurvePoint } from './curve-point.js';

/**
 * A meter's latest curve samples per kind, kept in its rule state so that a voltage and a current of the same
 * timestamp that arrive in different batches still meet (L1–L4 need both), and so that a track with nothing
 * counting can leave its window to them (resting.ts).
 */
export type Recent = { voltage: [number, PhaseValues][]; current: [number, PhaseValues][]; load: [number, LoadValues][] };

/**
 * Points kept per kind: 4 h of 15-min points (a window, WINDOW_POINTS), and the one before them, whose timestamp
 * is a resting track's checkpoint (resting.ts).
 */
const RECENT_POINTS = 17;

export const NO_RECENT: Recent = { voltage: [], current: [], load: [] };

/** The recent points with this batch's curve samples added; a kind this batch did not bring keeps its array. */
export function updateRecent(prev: Recent | undefined, samples: readonly AnySample[]): Recent {
  return {
    voltage: withSamples(prev?.voltage ?? [], samples, 'voltage'),
    current: withSamples(prev?.current ?? [], samples, 'current'),
    load: withSamples(prev?.load ?? [], samples, 'load'),
  };
}

/** One kind's recent points with the batch's samples of that kind, in time order, the newest RECENT_POINTS. */
function withSamples<V>(list: [number, V][], samples: readonly AnySample[], kind: CurveKind): [number, V][] {
  let count = 0;
  let inOrder = true;
  let last = list.length > 0 ? list[list.length - 1][0] : Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    if (s.kind !== kind) continue;
    count++;
    if (s.tsMs > last) last = s.tsMs;
    else inOrder = false;
  }
  if (count === 0) return list;
  if (!inOrder) return mergedRecent(list, samples, kind);
  // The usual case, every sample after the last point: one array of the final size, no copy grown or trimmed.
  const size = Math.min(RECENT_POINTS, list.length + count);
  const next = new Array<[number, V]>(size);
  let j = 0;
  for (let i = list.length - Math.max(0, size - count); i < list.length; i++) next[j++] = list[i];
  let skip = count - (size - j);
  for (const s of samples) {
    if (s.kind !== kind || skip-- > 0) continue;
    next[j++] = [s.tsMs, s.values as V];
  }
  return next;
}

/** A sample of a timestamp already there replaces its point; then sorted and trimmed to RECENT_POINTS. */
function mergedRecent<V>(list: readonly [number, V][], samples: readonly AnySample[], kind: CurveKind): [number, V][] {
  const out = list.slice();
  for (const s of samples) {
    if (s.kind !== kind) continue;
    const at = out.findIndex(([ts]) => ts === s.tsMs);
    if (at >= 0) out.splice(at, 1);
    out.push([s.tsMs, s.values as V]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out.length > RECENT_POINTS ? out.slice(out.length - RECENT_POINTS) : out;
}

/** Kinds as bits, so a track's needs are checked against a point with two integer tests. */
const KIND_BIT: Record<CurveKind, number> = { voltage: 1, current: 2, load: 4 };
const CURVE_KINDS = ['voltage', 'current', 'load'] as const;

export const kindMask = (kinds: readonly CurveKind[]) => kinds.reduce((m, k) => m | KIND_BIT[k], 0);

/** A curve point of this batch: the kinds it has, and which of them this batch brought (others came earlier). */
export interface NewPoint {
  point: CurvePoint;
  present: number;
  arrived: number;
}

/** The values at tsMs in a kind's recent points (sorted by time), searched from the newest: where matches are. */
function findRecent(list: readonly [number, unknown][], tsMs: number): unknown {
  for (let i = list.length - 1; i >= 0; i--) {
    const ts = list[i][0];
    if (ts === tsMs) return list[i][1];
    if (ts < tsMs) return undefined;
  }
  return undefined;
}

/** New curve points, completed with the other kinds of the same timestamp from earlier batches. */
export function newPoints(samples: readonly AnySample[], recent: Recent): NewPoint[] {
  const out: NewPoint[] = [];
  for (const p of mergePoints(samples).values()) {
    let arrived = 0;
    let present = 0;
    for (const k of CURVE_KINDS) {
      if (p[k] !== undefined) {
        arrived |= KIND_BIT[k];
        present |= KIND_BIT[k];
        continue;
      }
      const hit = findRecent(recent[k] as [number, unknown][], p.tsMs);
      if (hit !== undefined) {
        (p as Record<CurveKind, unknown>)[k] = hit;
        present |= KIND_BIT[k];
      }
    }
    out.push({ point: p, present, arrived });
  }
  return out.sort((a, b) => a.point.tsMs - b.point.tsMs);
}

/** The kinds of each mask, in CURVE_KINDS order. */
const KINDS_OF = Array.from({ length: 8 }, (_, mask) => CURVE_KINDS.filter((k) => (mask & KIND_BIT[k]) !== 0));

/** Whether the recent points hold every kind of kinds, besides the first, at tsMs. */
function holdsOthers(recent: Recent, kinds: readonly CurveKind[], tsMs: number): boolean {
  for (let j = 1; j < kinds.length; j++) if (findRecent(recent[kinds[j]] as [number, unknown][], tsMs) === undefined) return false;
  return true;
}

/** The newest timestamp at which the recent points hold every kind needs names; -Infinity when none does. */
export function newestPoint(recent: Recent, needs: number): number {
  const kinds = KINDS_OF[needs];
  const list = recent[kinds[0]] as [number, unknown][];
  for (let i = list.length - 1; i >= 0; i--) if (holdsOthers(recent, kinds, list[i][0])) return list[i][0];
  return Number.NEGATIVE_INFINITY;
}

/** The recent points from tsMs `from` on that hold every kind needs names (those kinds only), oldest first. */
export function pointsFrom(recent: Recent, needs: number, from: number): CurvePoint[] {
  const kinds = KINDS_OF[needs];
  const out: CurvePoint[] = [];
  for (const [tsMs] of recent[kinds[0]] as [number, unknown][]) {
    if (tsMs < from || !holdsOthers(recent, kinds, tsMs)) continue;
    const point: CurvePoint = { tsMs };
    for (const k of kinds) (point as Record<CurveKind, unknown>)[k] = findRecent(recent[k] as [number, unknown][], tsMs);
    out.push(point);
  }
  return out;
}
