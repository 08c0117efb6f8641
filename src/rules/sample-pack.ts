import { KIND_COLUMNS, KIND_INDEX, KINDS, type AnySample } from '../domain/sample.js';

/**
 * Samples packed for the hop to a rule engine thread: a few typed arrays whose buffers are moved, where the
 * structured clone of the sample objects was 10 % of the ingesting thread's busy time under 100-sample messages
 * (and as much again to rebuild them on the other side). Rule queue jobs carry the same columns as JSON text
 * (packedJson). Each sample takes a row of VALUE_SLOTS numbers, a missing value (null) is NaN there: stored
 * values are finite (decode rejects the rest).
 */
export interface PackedSamples {
  /** Each meter of the batch once; meterOf indexes it. */
  meterIds: string[];
  meterOf: Uint32Array;
  /** Index into KINDS. */
  kinds: Uint8Array;
  ts: Float64Array;
  multipliers: Float64Array;
  values: Float64Array;
}

/** The widest kind's column count (reading). */
const VALUE_SLOTS = Math.max(...KINDS.map((k) => KIND_COLUMNS[k].length));

export function packSamples(samples: readonly AnySample[]): PackedSamples {
  const n = samples.length;
  const index = new Map<string, number>();
  const packed: PackedSamples = {
    meterIds: [],
    meterOf: new Uint32Array(n),
    kinds: new Uint8Array(n),
    ts: new Float64Array(n),
    multipliers: new Float64Array(n),
    values: new Float64Array(n * VALUE_SLOTS),
  };
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    let meter = index.get(s.meterId);
    if (meter === undefined) {
      meter = packed.meterIds.push(s.meterId) - 1;
      index.set(s.meterId, meter);
    }
    packed.meterOf[i] = meter;
    packed.kinds[i] = KIND_INDEX[s.kind];
    packed.ts[i] = s.tsMs;
    packed.multipliers[i] = s.multiplier;
    const columns = KIND_COLUMNS[s.kind] as readonly string[];
    const values = s.values as unknown as Record<string, number | null>;
    for (let c = 0; c < columns.length; c++) packed.values[i * VALUE_SLOTS + c] = values[columns[c]] ?? NaN;
  }
  return packed;
}

/** The buffers postMessage moves instead of copying (the packed arrays are unusable here afterwards). */
export function transferList(packed: PackedSamples): ArrayBuffer[] {
  return [packed.meterOf.buffer, packed.kinds.buffer, packed.ts.buffer, packed.multipliers.buffer, packed.values.buffer] as ArrayBuffer[];
}

const orNull = (v: number | null): number | null => (v === v ? v : null);

/** PackedSamples, or the same columns as plain arrays (packedJson), where a missing value is null or NaN. */
type PackedColumns = Pick<PackedSamples, 'meterIds'> & Record<'meterOf' | 'kinds' | 'ts' | 'multipliers', ArrayLike<number>> & { values: ArrayLike<number | null> };

export function unpackSamples(packed: PackedColumns): AnySample[] {
  const { meterIds, meterOf, kinds, ts, multipliers, values: v } = packed;
  const out = new Array<AnySample>(kinds.length);
  for (let i = 0; i < kinds.length; i++) {
    const meterId = meterIds[meterOf[i]];
    const tsMs = ts[i];
    const multiplier = multipliers[i];
    const at = i * VALUE_SLOTS;
    // One object literal per kind, in normalise()'s property order, so the samples share its shapes.
    switch (KINDS[kinds[i]]) {
      case 'voltage':
        out[i] = { kind: 'voltage', meterId, tsMs, multiplier, values: { a: orNull(v[at]), b: orNull(v[at + 1]), c: orNull(v[at + 2]) } };
        break;
      case 'current':
        out[i] = { kind: 'current', meterId, tsMs, multiplier, values: { a: orNull(v[at]), b: orNull(v[at + 1]), c: orNull(v[at + 2]) } };
        break;
      case 'load':
        out[i] = { kind: 'load', meterId, tsMs, multiplier, values: { p: orNull(v[at]), q: orNull(v[at + 1]), pf: orNull(v[at + 2]) } };
        break;
      case 'reading':
        out[i] = {
          kind: 'reading',
          meterId,
          tsMs,
          multiplier,
          values: {
            total: orNull(v[at]),
            sharp: orNull(v[at + 1]),
            peak: orNull(v[at + 2]),
            flat: orNull(v[at + 3]),
            valley: orNull(v[at + 4]),
            reverse: orNull(v[at + 5]),
          },
        };
        break;
    }
  }
  return out;
}

/**
 * The same packing as JSON text, for rule queue jobs: columns of numbers (a missing value null) take about half
 * the characters of the sample objects' JSON, and serialise and parse faster.
 */
export function packedJson(samples: readonly AnySample[]): string {
  const p = packSamples(samples);
  return JSON.stringify([p.meterIds, Array.from(p.meterOf), Array.from(p.kinds), Array.from(p.ts), Array.from(p.multipliers), Array.from(p.values)]);
}

export function samplesOfPackedJson(text: string): AnySample[] {
  const [meterIds, meterOf, kinds, ts, multipliers, values] = JSON.parse(text) as [string[], number[], number[], number[], number[], (number | null)[]];
  return unpackSamples({ meterIds, meterOf, kinds, ts, multipliers, values });
}
