import { describe, expect, it } from 'vitest';
import { currentUnbalancePct } from './current-unbalance.js';

describe('I1 (max − min) / max with the light-load gate (10 % of 100 A)', () => {
  it.each([
    [['A', 'B', 'C'], { a: 100, b: 85, c: 100 }, 15],
    [['A', 'B', 'C'], { a: 150, b: 100, c: 50 }, 66.67],
    [['A', 'C'], { a: 100, b: null, c: 70 }, 30],
    [['A', 'B', 'C'], { a: 9.9, b: 0, c: 0 }, null],
    [['A', 'B', 'C'], { a: 10, b: 0, c: 0 }, 100],
    [['A', 'B', 'C'], { a: 100, b: null, c: 70 }, null],
    [['A'], { a: 100, b: null, c: null }, null],
  ] as const)('%j %j → %s', (phases, i, e) => {
    const r = currentUnbalancePct([...phases], i, 100, 10);
    if (e === null) expect(r).toBeNull();
    else expect(r).toBeCloseTo(e, 2);
  });
});
