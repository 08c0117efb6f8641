import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { packedJson, packSamples, samplesOfPackedJson, transferList, unpackSamples } from './sample-pack.js';

const T = Date.UTC(2025, 6, 1);

const CASES: [string, AnySample[]][] = [
  ['none', []],
  ['each kind', [
    { kind: 'voltage', meterId: 'm1', tsMs: T, multiplier: 1, values: { a: 231.5, b: 229, c: 230.25 } },
    { kind: 'current', meterId: 'm1', tsMs: T, multiplier: 40, values: { a: 200, b: 0, c: 12.5 } },
    { kind: 'load', meterId: 'm2', tsMs: T + 900_000, multiplier: 4000, values: { p: -12.5, q: 3, pf: 0.98 } },
    { kind: 'reading', meterId: 'm3', tsMs: T + 86_400_000, multiplier: 1, values: { total: 1234567.89, sharp: 1, peak: 2, flat: 3, valley: 4, reverse: 0.5 } },
  ]],
  ['nulls stay null, zero and minus zero stay numbers', [
    { kind: 'voltage', meterId: 'm1', tsMs: T, multiplier: 1, values: { a: null, b: 0, c: -0 } },
    { kind: 'load', meterId: 'm1', tsMs: T, multiplier: 1, values: { p: null, q: null, pf: null } },
    { kind: 'reading', meterId: 'm1', tsMs: T, multiplier: 1, values: { total: 10, sharp: null, peak: null, flat: null, valley: null, reverse: null } },
  ]],
  ['meters interleaved, out of time order, a timestamp before 1970', [
    { kind: 'current', meterId: 'b', tsMs: T + 1, multiplier: 1, values: { a: 1, b: 2, c: 3 } },
    { kind: 'current', meterId: 'a', tsMs: -900_000, multiplier: 1, values: { a: 4, b: 5, c: 6 } },
    { kind: 'current', meterId: 'b', tsMs: T, multiplier: 1, values: { a: 7, b: 8, c: 9 } },
  ]],
];

describe('packSamples / unpackSamples', () => {
  it.each<[string, AnySample[]]>(CASES)('%s: what is unpacked equals what was packed', (_name, samples) => {
    const unpacked = unpackSamples(structuredClone(packSamples(samples)));
    expect(unpacked).toEqual(samples);
    for (const [i, s] of unpacked.entries()) expect(Object.is((s.values as { c?: number }).c, (samples[i].values as { c?: number }).c)).toBe(true);
  });

  // A queue job's form: what the sample objects' own JSON gives (which makes -0 a 0, as jobs always did).
  it.each<[string, AnySample[]]>(CASES)('%s: packed JSON gives what the samples\' JSON gives', (_name, samples) => {
    expect(samplesOfPackedJson(packedJson(samples))).toEqual(JSON.parse(JSON.stringify(samples)));
  });

  it('names each meter once and moves every array', () => {
    const samples: AnySample[] = ['m1', 'm2', 'm1', 'm2', 'm1'].map((meterId, i) => ({ kind: 'load', meterId, tsMs: T + i, multiplier: 1, values: { p: i, q: 0, pf: 1 } }));
    const packed = packSamples(samples);
    expect(packed.meterIds).toEqual(['m1', 'm2']);
    const moved = structuredClone(packed, { transfer: transferList(packed) });
    expect(packed.ts.length).toBe(0);
    expect(unpackSamples(moved)).toEqual(samples);
  });
});
