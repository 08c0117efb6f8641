import type { ReadingValues, Sample } from '../../domain/sample.js';

/** DL/T 645 registers: 999999.99 kWh full scale at 0.01 resolution (domain.md 2.6). */
export const REGISTER_MAX_KWH = 999_999.99;
export const REGISTER_RES_KWH = 0.01;

export type Reading = Sample<'reading'>;

/** A stored (primary) register back on the meter's own scale (secondary), where resolution and rollover live. */
export function secondary(r: Reading, field: keyof ReadingValues): number | null {
  const v = r.values[field];
  return v === null || !Number.isFinite(v) || !(r.multiplier > 0) ? null : v / r.multiplier;
}

export type Delta =
  | { kind: 'ok'; deltaKwh: number; rollover: boolean }
  /** The archive's multiplier changed between the readings: a meter or CT replacement, not comparable. */
  | { kind: 'replaced' }
  | { kind: 'missing' };

/**
 * Register difference on the secondary scale between two readings (domain.md 2.6, 4.1). A fall from above
 * 90 % of full scale to a small value is a rollover: ΔR = R_max + res − R_prev + R_now.
 */
export function registerDelta(prev: Reading | undefined, now: Reading, field: keyof ReadingValues): Delta {
  if (!prev) return { kind: 'missing' };
  if (prev.multiplier !== now.multiplier) return { kind: 'replaced' };
  const a = secondary(prev, field);
  const b = secondary(now, field);
  if (a === null || b === null) return { kind: 'missing' };
  if (b < a && a > 0.9 * REGISTER_MAX_KWH && b < 0.1 * REGISTER_MAX_KWH) {
    return { kind: 'ok', deltaKwh: REGISTER_MAX_KWH + REGISTER_RES_KWH - a + b, rollover: true };
  }
  return { kind: 'ok', deltaKwh: b - a, rollover: false };
}

/** Daily energy in primary kWh (domain.md 4.1: ΔR × K), null when it cannot be known. */
export function dailyEnergyKwh(prev: Reading | undefined, now: Reading): number | null {
  const d = registerDelta(prev, now, 'total');
  return d.kind === 'ok' ? d.deltaKwh * now.multiplier : null;
}
