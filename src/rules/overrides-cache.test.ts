import { describe, expect, it } from 'vitest';
import type { Sql } from '../db/sql.js';
import { OverridesCache } from './overrides-cache.js';
import type { RuleOverrides } from './settings.js';

const sql = {} as Sql;
const O1: RuleOverrides = { O1: { clearPoints: 2 } };

function counting(stored: Record<string, RuleOverrides>) {
  const asked: string[][] = [];
  const load = async (_sql: Sql, ids: readonly string[]) => {
    asked.push([...ids]);
    return new Map(ids.filter((id) => stored[id]).map((id) => [id, stored[id]]));
  };
  return { load, asked };
}

describe('OverridesCache', () => {
  it.each([
    ['a second read within the age asks nothing', 1_000, [['c1', 'c2']]],
    ['a read after the age asks again', 6_000, [['c1', 'c2'], ['c1', 'c2']]],
  ])('%s', async (_name, laterMs, expected) => {
    let nowMs = 0;
    const { load, asked } = counting({ c1: O1 });
    const cache = new OverridesCache(load, 5_000, () => nowMs);
    expect(await cache.get(sql, ['c1', 'c2'])).toEqual(new Map([['c1', O1]]));
    nowMs = laterMs;
    expect(await cache.get(sql, ['c1', 'c2'])).toEqual(new Map([['c1', O1]]));
    expect(asked).toEqual(expected);
  });

  it('asks only for customers it has not seen, and everything again after invalidate()', async () => {
    const { load, asked } = counting({ c2: O1 });
    const cache = new OverridesCache(load, 5_000, () => 0);
    await cache.get(sql, ['c1']);
    expect(await cache.get(sql, ['c1', 'c2'])).toEqual(new Map([['c2', O1]]));
    cache.invalidate();
    await cache.get(sql, ['c1', 'c2']);
    expect(asked).toEqual([['c1'], ['c2'], ['c1', 'c2']]);
  });
});
