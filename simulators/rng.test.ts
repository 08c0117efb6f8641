import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.next());

describe('Rng', () => {
  it('repeats a sequence for the same seed and changes it for another', () => {
    expect(draw(new Rng(1))).toEqual(draw(new Rng(1)));
    expect(draw(new Rng(1))).not.toEqual(draw(new Rng(2)));
    expect(draw(new Rng('a', 1))).not.toEqual(draw(new Rng('a1')));
  });

  it('keeps int within both bounds and reaches them', () => {
    const rng = new Rng(3);
    const seen = new Set(Array.from({ length: 500 }, () => rng.int(2, 5)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('draws normals with the asked mean and sd', () => {
    const rng = new Rng(4);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });
});
