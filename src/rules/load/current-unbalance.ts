import type { Phase } from '../../domain/alarm.js';
import { PHASE_CHANNEL, type PhaseValues } from '../../domain/sample.js';

/**
 * Current unbalance (I_max − I_min) / I_max in % over the meter's current channels (domain.md 2.2: Ia, Ib, Ic
 * on 3P4W, Ia and Ic on 3P3W). Light-load gate: null while I_max < lightLoadPct % of the rated current, where
 * the ratio carries no meaning. Null for single-phase meters and missing channels.
 */
export function currentUnbalancePct(
  phases: readonly Phase[],
  i: PhaseValues,
  ratedA: number | null,
  lightLoadPct: number,
): number | null {
  if (phases.length < 2) return null;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const p of phases) {
    const v = i[PHASE_CHANNEL[p]];
    if (v === null || !Number.isFinite(v)) return null;
    max = Math.max(max, v);
    min = Math.min(min, v);
  }
  if (!(max > 0)) return null;
  if (ratedA !== null && max < (ratedA * lightLoadPct) / 100) return null;
  return ((max - min) / max) * 100;
}
