import type { Phase } from '../../domain/alarm.js';
import { PHASE_CHANNEL, type PhaseValues } from '../../domain/sample.js';

/** Nominal voltage of the channels and basic current Ib, both primary (domain.md 2.5). */
export interface SupplyLimits {
  referenceV: number;
  ibA: number;
}

/**
 * A condition as a counter value: 1 holds, 0 does not. L1 also uses HOLDING for "not lost any more but not yet
 * recovered" (78–85 % Un): with the counter's upper limit 1 and recovery factor 0.99 that value neither raises nor
 * counts toward clearing, which is the 失压 recovery level of DL/T 698.45 (3000: recovery at U ≥ 85 % Un).
 */
export const HOLDING = 0.995;

const pct = (u: number, lim: SupplyLimits) => (u / lim.referenceV) * 100;
const iPct = (i: number, lim: SupplyLimits) => (i / lim.ibA) * 100;

/** L1 失压: U < 78 % Un while I > 0.5 % Ib (the load still flows). */
export function voltageLoss(u: number | null, i: number | null, lim: SupplyLimits): number | null {
  if (u === null || i === null) return null;
  if (!(iPct(i, lim) > 0.5)) return 0;
  if (pct(u, lim) < 78) return 1;
  return pct(u, lim) < 85 ? HOLDING : 0;
}

/** L2 断相: U < 60 % Un and I < 0.5 % Ib (voltage and current gone on that phase). */
export function phaseFailure(u: number | null, i: number | null, lim: SupplyLimits): number | null {
  if (u === null || i === null) return null;
  return pct(u, lim) < 60 && iPct(i, lim) < 0.5 ? 1 : 0;
}

/** L3 全失压: every phase of the meter below 60 % Un. */
export function totalLoss(phases: readonly Phase[], v: PhaseValues, lim: SupplyLimits): number | null {
  let allLow = true;
  for (const p of phases) {
    const u = v[PHASE_CHANNEL[p]];
    if (u === null) return null;
    if (!(pct(u, lim) < 60)) allLow = false;
  }
  return allLow ? 1 : 0;
}

/** L4 失流: U > 70 % Un and I < 0.5 % Ib while another phase of the meter carries > 5 % Ib (bypassed CT). */
export function currentLoss(phase: Phase, phases: readonly Phase[], v: PhaseValues, i: PhaseValues, lim: SupplyLimits): number | null {
  const u = v[PHASE_CHANNEL[phase]];
  const own = i[PHASE_CHANNEL[phase]];
  if (u === null || own === null) return null;
  let otherLoaded = false;
  for (const p of phases) {
    if (p === phase) continue;
    const other = i[PHASE_CHANNEL[p]];
    if (other === null) return null;
    if (iPct(other, lim) > 5) otherLoaded = true;
  }
  return pct(u, lim) > 70 && iPct(own, lim) < 0.5 && otherLoaded ? 1 : 0;
}
