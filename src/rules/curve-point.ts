import type { MeterContext } from '../domain/archive.js';
import type { AnySample, LoadValues, PhaseValues } from '../domain/sample.js';

/** The curve samples of one meter at one timestamp, whatever batch each kind arrived in. */
export interface CurvePoint {
  tsMs: number;
  voltage?: PhaseValues;
  current?: PhaseValues;
  load?: LoadValues;
}

export type CurveKind = 'voltage' | 'current' | 'load';

export function mergePoints(samples: readonly AnySample[]): Map<number, CurvePoint> {
  const out = new Map<number, CurvePoint>();
  for (const s of samples) {
    if (s.kind === 'reading') continue;
    const p = out.get(s.tsMs) ?? { tsMs: s.tsMs };
    if (s.kind === 'load') p.load = s.values;
    else p[s.kind] = s.values;
    out.set(s.tsMs, p);
  }
  return out;
}

/**
 * Basic current Ib in primary amperes: the archive's rated current (secondary, domain.md 7) × CT ratio; without
 * it, the contract current S / (√3 U) (S / U for 1P) stands in; null when neither is known.
 */
export function ratedPrimaryA(ctx: MeterContext): number | null {
  const { meter, customer } = ctx;
  if (meter.ratedCurrentA !== null && meter.ratedCurrentA > 0) return meter.ratedCurrentA * meter.ctRatio;
  if (customer.contractKva === null || !(customer.contractKva > 0)) return null;
  const phases = meter.wiring === '1P' ? 1 : Math.sqrt(3);
  return (customer.contractKva * 1000) / (phases * meter.nominalVoltageV);
}
