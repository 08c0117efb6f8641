import { registerDelta, REGISTER_MAX_KWH, REGISTER_RES_KWH, secondary, type Reading } from './delta.js';

/**
 * Register checks on two consecutive daily freezes (domain.md 2.6). Each returns the value the rule's tiers
 * compare (null = cannot tell, which pauses the rule).
 */

/** M1 示值倒走: how far the register went down, secondary kWh (0 when it did not, or rolled over). */
export function decreaseKwh(prev: Reading | undefined, now: Reading): number | null {
  const d = registerDelta(prev, now, 'total');
  // Replacement (multiplier changed in the archive) is excluded, as is a reading with no predecessor.
  if (d.kind !== 'ok') return null;
  return d.deltaKwh < 0 ? -d.deltaKwh : 0;
}

/** M2 飞走: day's energy in % of what the contract capacity can draw in 24 h (ΔE × K / (S × 24 h)). */
export function jumpPctOfContract(prev: Reading | undefined, now: Reading, contractKva: number | null): number | null {
  const d = registerDelta(prev, now, 'total');
  if (d.kind !== 'ok' || contractKva === null || !(contractKva > 0)) return null;
  return ((d.deltaKwh * now.multiplier) / (contractKva * 24)) * 100;
}

/**
 * M3 停走 (daily form): 1 when the register did not move while the curve shows load that day.
 * loadPoints = the day's load samples with |P| ≥ 0.4 kW secondary; null when the day has no curve to tell.
 */
export function stoppedWithLoad(prev: Reading | undefined, now: Reading, loadPoints: number | null): number | null {
  const d = registerDelta(prev, now, 'total');
  if (d.kind !== 'ok' || loadPoints === null) return null;
  return Math.abs(d.deltaKwh) < REGISTER_RES_KWH / 2 && loadPoints > 0 ? 1 : 0;
}

const TARIFFS = ['sharp', 'peak', 'flat', 'valley'] as const;

/** M4 示值不平: |R_total − Σ R_tariff| in secondary kWh, and the rounding tolerance (M + 1) × res. */
export function tariffMismatch(now: Reading): { mismatchKwh: number; toleranceKwh: number } | null {
  const total = secondary(now, 'total');
  const tariffs = TARIFFS.map((f) => secondary(now, f)).filter((v): v is number => v !== null);
  if (total === null || tariffs.length === 0) return null;
  const sum = tariffs.reduce((a, b) => a + b, 0);
  // Each register wraps on its own at R_max + res: a total that has wrapped while its tariffs have not is no mismatch.
  const wrapKwh = REGISTER_MAX_KWH + REGISTER_RES_KWH;
  const apartKwh = Math.abs(total - sum) % wrapKwh;
  return { mismatchKwh: Math.min(apartKwh, wrapKwh - apartKwh), toleranceKwh: (tariffs.length + 1) * REGISTER_RES_KWH };
}

/** M5: reverse register increment of the day, secondary kWh. */
export function reverseKwh(prev: Reading | undefined, now: Reading): number | null {
  const d = registerDelta(prev, now, 'reverse');
  return d.kind === 'ok' ? Math.max(0, d.deltaKwh) : null;
}
