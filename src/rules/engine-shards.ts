import type { MeterContext } from '../domain/archive.js';
import type { RuleEngine } from './engine.js';
import { shardOf, splitByShard } from './queue-shard.js';

/**
 * Several engines as one, each owning the meters that hash to it (shardOf): a batch is split, its parts
 * evaluated side by side, their alarm changes joined. Meters never move between engines while the process runs,
 * so each engine's state cache stays its own; the per-meter locks in PostgreSQL keep any other process right.
 */
export function shardedRuleEngine(engines: readonly RuleEngine[]): RuleEngine {
  if (engines.length === 1) return engines[0];
  return {
    async evaluate(samples, contexts, opts) {
      const parts = [...splitByShard(samples, engines.length)].map(([shard, list]) => {
        const mine = new Map<string, MeterContext>();
        for (const s of list) {
          const ctx = contexts.get(s.meterId);
          if (ctx) mine.set(s.meterId, ctx);
        }
        return engines[shard].evaluate(list, mine, opts);
      });
      return (await Promise.all(parts)).flat();
    },
    async flush(meterIds) {
      if (!meterIds) return void (await Promise.all(engines.map((e) => e.flush())));
      const byShard = engines.map((): string[] => []);
      for (const id of meterIds) byShard[shardOf(id, engines.length)].push(id);
      await Promise.all(engines.map((e, shard) => byShard[shard].length > 0 && e.flush(byShard[shard])));
    },
    invalidateSettings() {
      for (const e of engines) e.invalidateSettings();
    },
    async close() {
      await Promise.all(engines.map((e) => e.close()));
    },
  };
}
