import type { Phase } from '../domain/alarm.js';
import type { Meter } from '../domain/archive.js';
import type { BandPct } from './settings.js';

/** Qualified bands of GB/T 12325-2008 by voltage level (domain.md 2.1), as % of the reference voltage. */
export interface VoltageBands {
  /** 220 V single-phase supply. */
  singlePhase: BandPct;
  /** Three-phase supply, first row whose upToNominalV covers the meter's line nominal. */
  threePhase: { upToNominalV: number; band: BandPct }[];
}

export const DEFAULT_VOLTAGE_BANDS: VoltageBands = {
  // GB/T 12325: 220 V single-phase may deviate +7 % / -10 %.
  singlePhase: { upperPct: 107, lowerPct: 90 },
  threePhase: [
    // GB/T 12325: 20 kV and below, three-phase: ±7 %.
    { upToNominalV: 20_000, band: { upperPct: 107, lowerPct: 93 } },
    // GB/T 12325: 35 kV and above, |+dev| + |-dev| ≤ 10 %; split +7 / -3 is a utility example (domain.md 8.5).
    { upToNominalV: Number.POSITIVE_INFINITY, band: { upperPct: 107, lowerPct: 97 } },
  ],
};

/** What a meter's voltage channels measure and the voltage they are compared with. */
export interface VoltageReference {
  /** Primary volts the channels read at nominal. */
  referenceV: number;
  /** Phases with a voltage channel: 3P3W has Uab (as A) and Ucb (as C) only; 1P has A only. */
  phases: Phase[];
}

export function voltageReference(meter: Pick<Meter, 'wiring' | 'nominalVoltageV'>): VoltageReference {
  switch (meter.wiring) {
    case '3P4W':
      // Phase voltages: line nominal / √3 (380 V line → 219.4 V phase).
      return { referenceV: meter.nominalVoltageV / Math.sqrt(3), phases: ['A', 'B', 'C'] };
    case '3P3W':
      return { referenceV: meter.nominalVoltageV, phases: ['A', 'C'] };
    case '1P':
      return { referenceV: meter.nominalVoltageV, phases: ['A'] };
  }
}

/** The GB/T 12325 qualified band of a meter's voltage level. */
export function qualifiedBand(meter: Pick<Meter, 'wiring' | 'nominalVoltageV'>, bands = DEFAULT_VOLTAGE_BANDS): BandPct {
  if (meter.wiring === '1P') return bands.singlePhase;
  const row = bands.threePhase.find((r) => meter.nominalVoltageV <= r.upToNominalV);
  return (row ?? bands.threePhase[bands.threePhase.length - 1]).band;
}

export interface BandV {
  upperV: number;
  lowerV: number;
}

export function bandVolts(referenceV: number, band: BandPct): BandV {
  return { upperV: (referenceV * band.upperPct) / 100, lowerV: (referenceV * band.lowerPct) / 100 };
}
