import type { AnySample } from '../domain/sample.js';

/**
 * Which rule queue shard a meter belongs to: FNV-1a 32-bit of its id, modulo the shard count. Every process
 * must compute the same value for the same id, so this must never depend on anything but the id and count.
 */
export function shardOf(meterId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < meterId.length; i++) {
    hash ^= meterId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The samples of one ingest batch per shard; shards without samples are absent. */
export function splitByShard(samples: readonly AnySample[], shards: number): Map<number, AnySample[]> {
  const out = new Map<number, AnySample[]>();
  for (const s of samples) {
    const shard = shardOf(s.meterId, shards);
    const list = out.get(shard);
    if (list) list.push(s);
    else out.set(shard, [s]);
  }
  return out;
}
