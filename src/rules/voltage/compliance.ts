import type { BandV } from '../voltage-band.js';

export interface Compliance {
  compliancePct: number;
  monitoredPoints: number;
  /** Counted from 15-min samples (each out-of-band sample = 15 min), not from meter minute counters. */
  approx: true;
}

/**
 * Voltage compliance of one phase over a day (domain.md 2.1, 4.6): 1 − out-of-band time / monitored time.
 * Missing samples are not monitored time. Null when nothing was monitored.
 */
export function compliance(values: readonly (number | null)[], band: BandV): Compliance | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return null;
  const out = present.filter((v) => v > band.upperV || v < band.lowerV).length;
  return { compliancePct: (1 - out / present.length) * 100, monitoredPoints: present.length, approx: true };
}
