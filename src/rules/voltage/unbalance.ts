import type { Wiring } from '../../domain/archive.js';
import type { PhaseValues } from '../../domain/sample.js';

/**
 * Voltage unbalance ε₂ = negative- / positive-sequence magnitude, in % (GB/T 15543-2008, domain.md 2.2).
 * From three line-voltage magnitudes the standard's annex gives a closed form (no zero sequence in line voltages):
 *   L = (a⁴ + b⁴ + c⁴) / (a² + b² + c²)²,  ε₂ = sqrt((1 − sqrt(3 − 6L)) / (1 + sqrt(3 − 6L))) × 100
 */
export function unbalanceFromLineMagnitudes(a: number, b: number, c: number): number | null {
  const sum2 = a * a + b * b + c * c;
  if (!(sum2 > 0)) return null;
  const l = (a ** 4 + b ** 4 + c ** 4) / sum2 ** 2;
  // Three magnitudes that break the triangle inequality give 3 − 6L < 0: no phasors, no value. Rounding can push
  // a balanced system a hair below 0, hence the tolerance.
  const d = 3 - 6 * l;
  if (d < -1e-9) return null;
  const r = Math.sqrt(Math.max(0, d));
  const ratio = (1 - r) / (1 + r);
  return ratio < 0 ? null : Math.sqrt(ratio) * 100;
}

/**
 * 3P4W meters report phase magnitudes only, without angles. Approximation [PROP]: assume the phases sit at their
 * ideal 0° / −120° / +120°, so only the magnitude differences contribute; angle errors and the zero sequence
 * (which the standard counts on LV) are not seen. It reads low when the angles are disturbed too.
 */
export function unbalanceFromPhaseMagnitudes(a: number, b: number, c: number): number | null {
  const pos = (a + b + c) / 3;
  if (!(pos > 0)) return null;
  // V2 = (Va + a²·Vb∠−120° + a·Vc∠120°) / 3 = (Va + Vb∠120° + Vc∠240°) / 3
  const re = a + b * Math.cos((2 * Math.PI) / 3) + c * Math.cos((4 * Math.PI) / 3);
  const im = b * Math.sin((2 * Math.PI) / 3) + c * Math.sin((4 * Math.PI) / 3);
  return (Math.hypot(re, im) / 3 / pos) * 100;
}

/**
 * ε₂ of one voltage sample. 3P3W meters report Uab (a) and Ucb (c); the closed form needs the third line voltage,
 * so it is evaluated only when the meter also reports Uca in channel b. 1P meters have no unbalance.
 */
export function voltageUnbalancePct(wiring: Wiring, v: PhaseValues): number | null {
  if (wiring === '1P' || v.a === null || v.b === null || v.c === null) return null;
  return wiring === '3P3W' ? unbalanceFromLineMagnitudes(v.a, v.b, v.c) : unbalanceFromPhaseMagnitudes(v.a, v.b, v.c);
}
