import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { shardOf, splitByShard } from './queue-shard.js';

const voltage = (meterId: string, tsMs: number): AnySample => ({ kind: 'voltage', meterId, tsMs, values: { a: 230, b: null, c: null }, multiplier: 1 });

describe('shardOf', () => {
  // Pinned values (FNV-1a computed independently): a change of the hash would send a meter's backlog and its new samples to different shards.
  it.each([
    ['3101000001', 8, 1],
    ['3101000002', 8, 0],
    ['3101000001', 1, 0],
    ['', 8, 5],
  ])('%j of %i shards is %i', (meterId, shards, expected) => {
    expect(shardOf(meterId, shards)).toBe(expected);
  });

  it('spreads meters over every shard', () => {
    const used = new Set(Array.from({ length: 400 }, (_, i) => shardOf(`31010${String(i).padStart(5, '0')}`, 8)));
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('splitByShard', () => {
  it('keeps every sample of a meter in one shard, in the order given', () => {
    const samples = [voltage('m1', 3), voltage('m2', 1), voltage('m1', 1), voltage('m3', 2), voltage('m1', 2)];
    const split = splitByShard(samples, 4);
    expect([...split.values()].flat()).toHaveLength(samples.length);
    for (const [shard, list] of split) {
      for (const s of list) expect(shardOf(s.meterId, 4)).toBe(shard);
    }
    expect(split.get(shardOf('m1', 4))!.filter((s) => s.meterId === 'm1').map((s) => s.tsMs)).toEqual([3, 1, 2]);
  });

  it('has no entry for an empty batch', () => {
    expect(splitByShard([], 4).size).toBe(0);
  });
});
