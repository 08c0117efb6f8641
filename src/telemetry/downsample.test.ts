import { describe, expect, it } from 'vitest';
import { downsampleMinMax, type Columns } from './downsample.js';

const one = (p: (number | null)[]): Columns => ({ ts: p.map((_, i) => i * 10), values: { p } });

describe('downsampleMinMax', () => {
  it.each([
    ['fewer rows than the limit: unchanged', one([1, 2, 3]), 10, one([1, 2, 3])],
    ['exactly the limit: unchanged', one([5, 1, 4, 2]), 4, one([5, 1, 4, 2])],
    ['a limit below one bucket (2 rows per column): unchanged', one([5, 1, 4, 2, 3]), 1, one([5, 1, 4, 2, 3])],
    ['two buckets keep each min and max in time order', one([3, 9, 1, 5, 2, 8, 7, 4]), 4, { ts: [10, 20, 40, 50], values: { p: [9, 1, 2, 8] } }],
    ['a single spike survives', one([1, 1, 1, 1, 1, 1, 50, 1, 1]), 2, { ts: [0, 60], values: { p: [1, 50] } }],
    ['a flat bucket keeps one row', one([4, 4, 4, 4, 6, 0, 4, 4]), 4, { ts: [0, 40, 50], values: { p: [4, 6, 0] } }],
    ['nulls are skipped; an all-null bucket keeps its first row as a gap', one([null, null, null, null, 2, null, 7, 1]), 4, { ts: [0, 60, 70], values: { p: [null, 7, 1] } }],
  ])('%s', (_name, series, maxPoints, expected) => {
    expect(downsampleMinMax(series, maxPoints)).toEqual(expected);
  });

  it('keeps the extremes of every column and never more than maxPoints rows', () => {
    const ts = Array.from({ length: 1000 }, (_, i) => i * 900_000);
    const a = ts.map((_, i) => 220 + Math.sin(i / 7));
    const b = ts.map((_, i) => (i === 333 ? 180 : 221));
    const c = ts.map((_, i) => (i === 777 ? 260 : 219));
    const out = downsampleMinMax({ ts, values: { a, b, c } }, 120);
    expect(out.ts.length).toBeLessThanOrEqual(120);
    expect(out.ts).toEqual([...out.ts].sort((x, y) => x - y));
    expect(Math.min(...(out.values.b as number[]))).toBe(180);
    expect(Math.max(...(out.values.c as number[]))).toBe(260);
    expect(Math.max(...(out.values.a as number[]))).toBe(Math.max(...a));
    expect(out.ts).toContain(333 * 900_000);
  });
});
