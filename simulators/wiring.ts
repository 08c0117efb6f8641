/** Realistic metering set-ups per supply type (domain.md 1.5-1.7). */
import type { Meter } from '../src/domain/archive.js';
import type { Supply } from './customer-kinds.js';
import type { Rng } from './rng.js';

export type MeterWiring = Pick<Meter, 'wiring' | 'nominalVoltageV' | 'ratedCurrentA' | 'ctRatio' | 'ptRatio' | 'valuesSide'>;

// CT ratios of /5 A transformers (100/5 = 20 ... 400/5 = 80).
const HV_CT_RATIOS = [20, 30, 40, 60, 80] as const;
const LV_CT_RATIOS = [40, 50, 60, 80] as const;
// Secondary nameplate 1.5(6) A for CT meters, 5(60) A for direct single-phase meters: the archive holds Imax.
const CT_METER_IMAX_A = 6;
const DIRECT_METER_IMAX_A = 60;

/**
 * HV customers: 10 kV three-wire metering through PT 10000/100 and a CT sized for the meter's share of
 * the contract; their last meter (of three or more) is an LV auxiliary. LV: 380 V four-wire through a CT.
 * Households: 220 V single-phase, direct.
 */
export function meterWiring(rng: Rng, supply: Supply, position: number, count: number, shareKva: number): MeterWiring {
  if (supply === 'hv' && !(count >= 3 && position === count - 1)) {
    const primaryA = shareKva / (Math.sqrt(3) * 10);
    const ctRatio = ctFor(rng, HV_CT_RATIOS, primaryA);
    return { wiring: '3P3W', nominalVoltageV: 10_000, ratedCurrentA: CT_METER_IMAX_A, ctRatio, ptRatio: 100, valuesSide: 'secondary' };
  }
  if (supply === 'home') {
    // A direct meter's values are the same on either side; both spellings occur in real archives.
    const valuesSide = rng.chance(0.7) ? 'secondary' : 'primary';
    return { wiring: '1P', nominalVoltageV: 220, ratedCurrentA: DIRECT_METER_IMAX_A, ctRatio: 1, ptRatio: 1, valuesSide };
  }
  const primaryA = shareKva / (Math.sqrt(3) * 0.38);
  const ctRatio = ctFor(rng, LV_CT_RATIOS, primaryA);
  return { wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: CT_METER_IMAX_A, ctRatio, ptRatio: 1, valuesSide: 'secondary' };
}

/** One of the two smallest /5 A ratios that carry the expected current with 25 % headroom (installers round up). */
function ctFor(rng: Rng, ratios: readonly number[], primaryA: number): number {
  const fitting = ratios.filter((r) => r * 5 >= primaryA * 1.25);
  return fitting.length === 0 ? ratios[ratios.length - 1] : rng.pick(fitting.slice(0, 2));
}
