import { describe, expect, it } from 'vitest';
import type { Wiring } from '../domain/archive.js';
import { bandVolts, qualifiedBand, voltageReference } from './voltage-band.js';

describe('voltage reference and qualified band (GB/T 12325)', () => {
  it.each([
    // wiring, nominal, reference V, phases, upper V, lower V
    ['1P', 220, 220, ['A'], 235.4, 198],
    ['3P4W', 380, 219.39, ['A', 'B', 'C'], 234.75, 204.03],
    ['3P4W', 10_000, 5773.5, ['A', 'B', 'C'], 6177.65, 5369.36],
    ['3P3W', 10_000, 10_000, ['A', 'C'], 10_700, 9300],
    ['3P3W', 20_000, 20_000, ['A', 'C'], 21_400, 18_600],
    ['3P3W', 35_000, 35_000, ['A', 'C'], 37_450, 33_950],
    ['3P3W', 110_000, 110_000, ['A', 'C'], 117_700, 106_700],
  ] as const)('%s %d V', (wiring, nominalVoltageV, referenceV, phases, upperV, lowerV) => {
    const meter = { wiring: wiring as Wiring, nominalVoltageV };
    const ref = voltageReference(meter);
    expect(ref.referenceV).toBeCloseTo(referenceV, 1);
    expect(ref.phases).toEqual(phases);
    const band = bandVolts(ref.referenceV, qualifiedBand(meter));
    expect(band.upperV).toBeCloseTo(upperV, 1);
    expect(band.lowerV).toBeCloseTo(lowerV, 1);
  });

  it('takes the split for 35 kV and above from data', () => {
    const bands = {
      singlePhase: { upperPct: 107, lowerPct: 90 },
      threePhase: [{ upToNominalV: Number.POSITIVE_INFINITY, band: { upperPct: 105, lowerPct: 95 } }],
    };
    expect(qualifiedBand({ wiring: '3P3W', nominalVoltageV: 35_000 }, bands)).toEqual({ upperPct: 105, lowerPct: 95 });
  });
});
