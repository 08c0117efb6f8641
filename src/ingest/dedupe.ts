import { KIND_COLUMNS, type AnySample } from '../domain/sample.js';

export interface Superseded {
  /** Earlier copies in the same batch with the same values. */
  identical: number;
  /** Earlier copies overwritten by a later re-send with other values. */
  differing: number;
}

/**
 * One sample per (kind, meter, ts) in a batch, the latest received winning, as a re-send
 * over MQTT would overwrite it in the store. The store needs the keys unique per statement.
 */
export function lastWins(samples: readonly AnySample[]): { unique: AnySample[]; superseded: Superseded } {
  const superseded: Superseded = { identical: 0, differing: 0 };
  const index = new Map<string, number>();
  const unique: AnySample[] = [];
  for (const s of samples) {
    const key = `${s.kind}\u0000${s.meterId}\u0000${s.tsMs}`;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, unique.length);
      unique.push(s);
      continue;
    }
    if (sameValues(unique[at], s)) superseded.identical++;
    else superseded.differing++;
    unique[at] = s;
  }
  return { unique, superseded };
}

function sameValues(a: AnySample, b: AnySample): boolean {
  if (a.multiplier !== b.multiplier) return false;
  const va = a.values as unknown as Record<string, number | null>;
  const vb = b.values as unknown as Record<string, number | null>;
  return (KIND_COLUMNS[a.kind] as readonly string[]).every((c) => va[c] === vb[c]);
}
