import { describe, expect, it } from 'vitest';
import { loadRatePct } from './load-rate.js';

describe('loadRatePct (domain.md 2.4)', () => {
  it.each([
    // p, q, pf, contract kVA, β %
    [300, 400, 0.6, 1000, 50],
    [800, null, 0.8, 1000, 100],
    [800, null, null, 1000, 80],
    [-800, null, null, 1000, 80],
    [800, null, 0, 1000, 80],
    [null, 400, 0.9, 1000, null],
    [800, 0, 0.9, null, null],
    [800, 0, 0.9, 0, null],
  ] as const)('p=%s q=%s pf=%s contract=%s → %s', (p, q, pf, contractKva, expected) => {
    const beta = loadRatePct({ p, q, pf }, contractKva);
    if (expected === null) expect(beta).toBeNull();
    else expect(beta).toBeCloseTo(expected, 6);
  });
});
