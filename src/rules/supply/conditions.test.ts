import { describe, expect, it } from 'vitest';
import { currentLoss, HOLDING, phaseFailure, totalLoss, voltageLoss } from './conditions.js';

const lim = { referenceV: 100, ibA: 100 }; // 0.5 % Ib = 0.5 A, 5 % Ib = 5 A

describe('L1 失压 U < 78 % Un and I > 0.5 % Ib, recovery at 85 %', () => {
  it.each([
    [77.9, 1, 1], [78, 1, HOLDING], [84.9, 1, HOLDING], [85, 1, 0], [50, 0.5, 0], [50, 0.51, 1], [null, 1, null], [50, null, null],
  ] as const)('U %s I %s → %s', (u, i, expected) => expect(voltageLoss(u, i, lim)).toBe(expected));
});

describe('L2 断相 U < 60 % and I < 0.5 % Ib', () => {
  it.each([[59.9, 0.49, 1], [60, 0, 0], [10, 0.5, 0], [null, 0, null]] as const)('U %s I %s → %s', (u, i, e) =>
    expect(phaseFailure(u, i, lim)).toBe(e));
});

describe('L3 all phases < 60 %', () => {
  it.each([
    [['A', 'B', 'C'], { a: 10, b: 59, c: 0 }, 1],
    [['A', 'B', 'C'], { a: 10, b: 60, c: 0 }, 0],
    [['A', 'C'], { a: 10, b: null, c: 0 }, 1],
    [['A', 'B', 'C'], { a: 10, b: null, c: 0 }, null],
  ] as const)('%j %j → %s', (phases, v, e) => expect(totalLoss([...phases], v, lim)).toBe(e));
});

describe('L4 失流: U > 70 %, I < 0.5 % Ib while another phase > 5 % Ib (3P3W: A and C only)', () => {
  it.each([
    ['A', ['A', 'B', 'C'], { a: 0, b: 20, c: 20 }, 1],
    ['A', ['A', 'B', 'C'], { a: 0, b: 5, c: 5 }, 0],
    ['A', ['A', 'B', 'C'], { a: 0.5, b: 20, c: 20 }, 0],
    ['A', ['A', 'C'], { a: 0, b: null, c: 20 }, 1],
    ['C', ['A', 'C'], { a: 20, b: null, c: null }, null],
  ] as const)('%s of %j with I %j → %s', (phase, phases, i, e) =>
    expect(currentLoss(phase, [...phases], { a: 100, b: 100, c: 100 }, i, lim)).toBe(e));

  it('no L4 when the voltage is low too', () => {
    expect(currentLoss('A', ['A', 'B', 'C'], { a: 70, b: 100, c: 100 }, { a: 0, b: 20, c: 20 }, lim)).toBe(0);
  });
});
