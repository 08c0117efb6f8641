import { describe, expect, it } from 'vitest';
import { unbalanceFromLineMagnitudes, unbalanceFromPhaseMagnitudes, voltageUnbalancePct } from './unbalance.js';

type C = [number, number];
const polar = (m: number, deg: number): C => [m * Math.cos((deg * Math.PI) / 180), m * Math.sin((deg * Math.PI) / 180)];
const add = (...z: C[]): C => z.reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const abs = (z: C) => Math.hypot(z[0], z[1]);
const A = polar(1, 120);
const A2 = polar(1, 240);

/** ε₂ by the sequence definition from phase phasors, and the three line-voltage magnitudes. */
function phasorCase(va: C, vb: C, vc: C) {
  const v1 = add(va, mul(A, vb), mul(A2, vc));
  const v2 = add(va, mul(A2, vb), mul(A, vc));
  const line = (x: C, y: C) => abs(add(x, [-y[0], -y[1]]));
  return { eps2: (abs(v2) / abs(v1)) * 100, ab: line(va, vb), bc: line(vb, vc), ca: line(vc, va) };
}

describe('voltage unbalance, closed form vs phasors (GB/T 15543)', () => {
  it.each([
    ['balanced', polar(57.7, 0), polar(57.7, -120), polar(57.7, 120)],
    ['one phase low', polar(50, 0), polar(57.7, -120), polar(57.7, 120)],
    ['angle shifted', polar(57.7, 5), polar(57.7, -120), polar(57.7, 120)],
    ['mixed', polar(60, 2), polar(55, -118), polar(57, 121)],
  ] as const)('%s', (_n, va, vb, vc) => {
    const c = phasorCase(va, vb, vc);
    expect(unbalanceFromLineMagnitudes(c.ab, c.bc, c.ca)).toBeCloseTo(c.eps2, 6);
  });

  it.each([
    [57.7, 57.7, 57.7],
    [50, 57.7, 57.7],
  ] as const)('3P4W magnitudes %d %d %d at ideal angles match the phasor value', (a, b, c) => {
    const expected = phasorCase(polar(a, 0), polar(b, -120), polar(c, 120)).eps2;
    expect(unbalanceFromPhaseMagnitudes(a, b, c)).toBeCloseTo(expected, 6);
  });

  it.each([
    ['1P', { a: 220, b: null, c: null }, null],
    ['3P3W without Uca', { a: 100, b: null, c: 100 }, null],
    ['3P4W missing phase', { a: 220, b: null, c: 220 }, null],
    ['3P3W balanced', { a: 100, b: 100, c: 100 }, 0],
  ] as const)('%s', (wiring, v, expected) => {
    const r = voltageUnbalancePct(wiring.split(' ')[0] as '1P' | '3P3W' | '3P4W', v);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toBeCloseTo(expected, 6);
  });

  it('three magnitudes that cannot form a triangle give no value', () => {
    expect(unbalanceFromLineMagnitudes(100, 10, 10)).toBeNull();
  });
});
