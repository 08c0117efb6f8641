import { describe, expect, it } from 'vitest';
import type { AlarmChange } from '../alarms/store.js';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { RuleEngine } from './engine.js';
import { shardedRuleEngine } from './engine-shards.js';
import { shardOf } from './queue-shard.js';

/** An engine that records what it was given and answers one change per meter. */
function recording() {
  const calls: { meters: string[]; contexts: string[] }[] = [];
  const counts = { flush: 0, invalidate: 0, close: 0 };
  const flushed: (readonly string[] | undefined)[] = [];
  const engine: RuleEngine = {
    async evaluate(samples, contexts) {
      const meters = [...new Set(samples.map((s) => s.meterId))].sort();
      calls.push({ meters, contexts: [...contexts.keys()].sort() });
      return meters.map((meterId) => ({ change: 'created', alarm: { meterId } }) as unknown as AlarmChange);
    },
    flush: async (meterIds) => void (counts.flush++, flushed.push(meterIds)),
    invalidateSettings: () => void counts.invalidate++,
    close: async () => void counts.close++,
  };
  return { engine, calls, counts, flushed };
}

const meters = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
const sample = (meterId: string): AnySample => ({ kind: 'load', meterId, tsMs: 0, values: { p: 1, q: null, pf: null }, multiplier: 1 });
const contexts = new Map(meters.map((id) => [id, { meter: { id } } as unknown as MeterContext]));

describe('shardedRuleEngine', () => {
  it.each([2, 3])('gives each of %i engines the samples and archive entries of its own meters, and joins their changes', async (n) => {
    const shards = Array.from({ length: n }, recording);
    const sharded = shardedRuleEngine(shards.map((s) => s.engine));
    const changes = await sharded.evaluate([...meters, 'm1'].map(sample), contexts);
    expect(changes.map((c) => c.alarm.meterId).sort()).toEqual(meters);
    shards.forEach((s, i) => {
      const mine = meters.filter((m) => shardOf(m, n) === i);
      expect(s.calls).toEqual(mine.length ? [{ meters: mine, contexts: mine }] : []);
    });
  });

  it('flushes, invalidates and closes every engine', async () => {
    const shards = [recording(), recording()];
    const sharded = shardedRuleEngine(shards.map((s) => s.engine));
    await sharded.flush();
    sharded.invalidateSettings();
    await sharded.close();
    for (const s of shards) expect(s.counts).toEqual({ flush: 1, invalidate: 1, close: 1 });
  });

  it('flushes each engine\'s own meters when given meters, and leaves out engines with none', async () => {
    const shards = [recording(), recording(), recording()];
    const sharded = shardedRuleEngine(shards.map((s) => s.engine));
    const given = meters.filter((m) => shardOf(m, 3) !== 2);
    await sharded.flush(given);
    shards.forEach((s, i) => {
      const mine = given.filter((m) => shardOf(m, 3) === i);
      expect(s.flushed).toEqual(mine.length ? [mine] : []);
    });
  });

  it('is the engine itself when there is one', () => {
    const one = recording().engine;
    expect(shardedRuleEngine([one])).toBe(one);
  });
});
