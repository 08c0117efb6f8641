import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { intoRounds } from './dedupe.js';

const load = (meterId: string, tsMs: number, p: number): AnySample => ({ kind: 'load', meterId, tsMs, multiplier: 1, values: { p, q: null, pf: null } });

describe('intoRounds', () => {
  it('keeps a batch without re-sends in one round', () => {
    const batch = [load('A', 1, 1), load('B', 1, 1), load('A', 2, 1)];
    expect(intoRounds(batch)).toEqual([batch]);
  });

  it('puts each further copy of a key in the next round, in arrival order', () => {
    expect(intoRounds([load('A', 1, 1), load('B', 1, 1), load('A', 1, 2), load('A', 1, 3), load('B', 1, 9)])).toEqual([
      [load('A', 1, 1), load('B', 1, 1)],
      [load('A', 1, 2), load('B', 1, 9)],
      [load('A', 1, 3)],
    ]);
  });

  it('tells kinds apart', () => {
    const voltage: AnySample = { kind: 'voltage', meterId: 'A', tsMs: 1, multiplier: 1, values: { a: 1, b: null, c: null } };
    expect(intoRounds([load('A', 1, 1), voltage])).toHaveLength(1);
  });

  it('tells every kind at neighbouring timestamps apart, and the same key of two meters', () => {
    const T = Date.UTC(2026, 11, 7);
    const all = (meterId: string): AnySample[] =>
      [T - 1, T, T + 1, T + 2].flatMap((tsMs) => [
        { kind: 'voltage', meterId, tsMs, multiplier: 1, values: { a: 1, b: null, c: null } },
        { kind: 'current', meterId, tsMs, multiplier: 1, values: { a: 1, b: null, c: null } },
        { kind: 'load', meterId, tsMs, multiplier: 1, values: { p: 1, q: null, pf: null } },
        { kind: 'reading', meterId, tsMs, multiplier: 1, values: { total: 1, sharp: null, peak: null, flat: null, valley: null, reverse: null } },
      ] satisfies AnySample[]);
    const batch = [...all('A'), ...all('B')];
    expect(intoRounds(batch)).toEqual([batch]);
    expect(intoRounds([...batch, ...all('B')])).toEqual([batch, all('B')]);
  });

  it('returns one empty round for an empty batch', () => {
    expect(intoRounds([])).toEqual([[]]);
  });
});
