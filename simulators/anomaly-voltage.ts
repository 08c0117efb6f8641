/** Voltage quality anomalies (domain.md 5.5 "Voltage sag / swell"; 2.1 bands; 2.2 unbalance). */
import { TOP_CLASSES, channelsOf, curveMonitored, inClasses, setRelative, type AnomalyKind } from './anomaly-kind.js';

function voltageShift(minFactor: number, maxFactor: number, rule: 'V1' | 'V2', minPoints: number, maxPoints: number): AnomalyKind {
  return {
    rule,
    // A sag below 78 % Un with load still flowing is 失压 by its definition (domain.md 2.5).
    // A shift on one phase is a voltage unbalance as well (V4).
    alsoRules: rule === 'V1' ? ['V2', 'V3', 'V4', ...(minFactor < 0.78 ? (['L1'] as const) : [])] : ['V1', 'V3', 'V4'],
    timing: 'points',
    eligible: (_m, c) => curveMonitored(c),
    draw: (rng, meter) => {
      const available = channelsOf(meter);
      const channels = available.length > 1 && rng.chance(0.5) ? available : [rng.pick(available)];
      return { length: rng.int(minPoints, maxPoints), factor: rng.range(minFactor, maxFactor), channels };
    },
    // Set relative to nominal, keeping a fifth of the natural deviation, so the shift always crosses the band.
    voltage: (event, point) => {
      for (const ch of event.channels) setRelative(point, ch, event.factor);
    },
  };
}

export const VOLTAGE_KINDS = {
  // Swell / sag (5.5): beyond the +7 % / -7 % (-10 % on 220 V) qualified bands of GB/T 12325.
  'over-voltage': voltageShift(1.09, 1.25, 'V1', 4, 16),
  'under-voltage': voltageShift(0.75, 0.88, 'V1', 4, 16),
  // Beyond the +120 % assessment band (V2); sustain is 1-2 points on curve classes.
  'severe-swell': voltageShift(1.22, 1.3, 'V2', 3, 12),
  // An evening sag on a low-voltage supply long enough to pull the day's compliance under 90 % (V3 on LV classes):
  // 87-88.5 % Un is under the 220 V band (-10 %) but above the LV assessment floor (85 %).
  'long-sag': {
    rule: 'V3',
    alsoRules: ['V1', 'V2'],
    timing: 'points',
    eligible: (m, c) => !curveMonitored(c) && m.wiring !== '3P3W',
    draw: (rng, meter) => ({ length: rng.int(16, 28), factor: rng.range(0.87, 0.885), channels: channelsOf(meter) }),
    voltage: (event, point) => {
      for (const ch of event.channels) setRelative(point, ch, event.factor);
    },
  },
  // ε₂ above the 2 % of KEY/TOP100 with every phase inside ±7 %: A down and B up by x gives ε₂ ≈ 0.577 x
  // (3P4W only: 3P3W meters send no third line voltage, so V4 cannot be computed for them).
  'voltage-unbalance': {
    rule: 'V4',
    alsoRules: ['V1'],
    timing: 'points',
    eligible: (m, c) => m.wiring === '3P4W' && inClasses(c, TOP_CLASSES),
    draw: (rng) => ({ length: rng.int(6, 16), factor: rng.range(0.045, 0.055), channels: [0, 1] }),
    voltage: (event, point) => {
      setRelative(point, 0, 1 - event.factor);
      setRelative(point, 1, 1 + event.factor);
    },
  },
} satisfies Record<string, AnomalyKind>;
