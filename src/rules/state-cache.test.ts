import { describe, expect, it } from 'vitest';
import { StateCache } from './state-cache.js';

const entry = (dirty: boolean) => ({ state: {}, version: 1, dirty });

describe('StateCache.trim keeps the most recent entries and every unwritten one', () => {
  it.each([
    ['under the limit: all stay', 3, [['a', false], ['b', false]], ['a', 'b']],
    ['over: the least recent clean ones go', 2, [['a', false], ['b', false], ['c', false], ['d', false]], ['c', 'd']],
    ['dirty ones stay even over the limit', 1, [['a', true], ['b', false], ['c', true]], ['a', 'c']],
    ['a set moves an entry to the most recent end', 2, [['a', false], ['b', false], ['c', false], ['a', false]], ['c', 'a']],
  ] as const)('%s', (_name, max, sets, kept) => {
    const cache = new StateCache(max);
    for (const [id, dirty] of sets) cache.set(id, entry(dirty));
    cache.trim();
    expect(['a', 'b', 'c', 'd'].filter((id) => cache.get(id))).toEqual([...kept].sort());
    expect(cache.size).toBe(kept.length);
  });

  it('lists the dirty meters', () => {
    const cache = new StateCache(10);
    cache.set('a', entry(true));
    cache.set('b', entry(false));
    cache.set('c', entry(true));
    expect(cache.dirty()).toEqual(['a', 'c']);
  });
});
