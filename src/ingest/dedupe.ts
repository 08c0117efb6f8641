import type { AnySample } from '../domain/sample.js';

/**
 * Splits a batch into rounds with at most one sample per (kind, meter, ts) each: round k holds
 * the k-th copy of every key, in arrival order. Writing the rounds one after another gives each
 * re-send the outcome it would have had alone (duplicate, or overwrite of the copy before it),
 * whatever the batching, while a batch without re-sends stays one round and one write.
 */
export function intoRounds(samples: readonly AnySample[]): AnySample[][] {
  const copies = new Map<string, number>();
  const rounds: AnySample[][] = [[]];
  for (const s of samples) {
    const key = `${s.kind}\u0000${s.meterId}\u0000${s.tsMs}`;
    const round = copies.get(key) ?? 0;
    copies.set(key, round + 1);
    (rounds[round] ??= []).push(s);
  }
  return rounds;
}
