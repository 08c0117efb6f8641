/** Load and energy anomalies (domain.md 5.5): overload, demand, power factor, load drop / surge, zero consumption. */
import { TOP_CLASSES, curveMonitored, inClasses, type AnomalyKind } from './anomaly-kind.js';
import type { SimCustomer, SimMeter } from './fleet.js';

const mainWithContract = (m: SimMeter, c: SimCustomer) => m.isMain && c.contractKva !== null && curveMonitored(c);

/** Z1 raises after 1 (KEY, TOP100), 2 (DH), 3 (DEDICATED) or 7 (low-voltage) zero days (domain.md 3.2): one day more. */
function zeroDays(c: SimCustomer): number {
  if (inClasses(c, TOP_CLASSES)) return 2;
  if (inClasses(c, ['DH_KEY', 'DH_GROWTH'])) return 3;
  return inClasses(c, ['DEDICATED']) ? 4 : 8;
}

export const LOAD_KINDS = {
  overload: {
    rule: 'O1',
    // P at 1.1-1.5 × S·PF is often over 105 % of the contract in kW as well: the month's demand (O2).
    alsoRules: ['O2'],
    timing: 'points',
    eligible: mainWithContract,
    draw: (rng) => ({ length: rng.int(2, 12), factor: rng.range(1.1, 1.5), channels: [] }),
    power: (event, point, customer) => {
      point.pKw = event.factor * (customer.contractKva ?? 0) * point.pf;
    },
  },
  // One 15-30 min plateau at 1.1 × the contract demand (the contract kVA stands for it, as in the O2 rule).
  'demand-exceed': {
    rule: 'O2',
    alsoRules: ['O1'],
    timing: 'points',
    eligible: mainWithContract,
    draw: (rng) => ({ length: rng.int(1, 2), factor: 1.1, channels: [] }),
    power: (event, point, customer) => {
      point.pKw = event.factor * (customer.contractKva ?? 0);
    },
  },
  // Capacitor bank off for days early in the month, so the month-to-date PF falls below the standard too.
  'low-pf': {
    rule: 'P1',
    // More kvar for the same kW: the apparent power and so the load rate rise by up to a third.
    alsoRules: ['O1'],
    timing: 'days',
    placement: 'monthStart',
    eligible: (_m, c) => curveMonitored(c) && c.pfStandard !== null,
    draw: (rng) => ({ length: rng.int(4, 7), factor: rng.range(0.7, 0.8), channels: [] }),
    power: (event, point) => {
      point.pf = event.factor;
    },
  },
  // Stoppage: D_day 0.05-0.25, under DEDICATED's 30 % and the other classes' 50 % of the weekday baseline.
  'load-drop': {
    rule: 'D1',
    timing: 'days',
    placement: 'late',
    eligible: (_m, c) => curveMonitored(c),
    draw: (rng) => ({ length: rng.int(1, 3), factor: rng.range(0.05, 0.25), channels: [] }),
    power: (event, point) => {
      point.pKw *= event.factor;
    },
  },
  // D_day 2.2-2.8: over 150 % (200 % for DEDICATED) of the baseline; put on sub-meters, whose share keeps the
  // customer's contract mostly clear, but a surge may still load it past 80 %.
  'load-surge': {
    rule: 'D2',
    alsoRules: ['O1', 'O2'],
    timing: 'days',
    placement: 'late',
    eligible: (m, c) => curveMonitored(c) && !m.isMain,
    draw: (rng) => ({ length: rng.int(1, 2), factor: rng.range(2.2, 2.8), channels: [] }),
    power: (event, point) => {
      point.pKw *= event.factor;
    },
  },
  // P = 0 with the voltage present for one day more than the class's Z1 sustain; the register stays put, so
  // the day is also far under its D1 baseline.
  'zero-consumption': {
    rule: 'Z1',
    alsoRules: ['D1'],
    timing: 'days',
    placement: 'late',
    eligible: () => true,
    draw: (_rng, _m, c) => ({ length: zeroDays(c), factor: 0, channels: [] }),
    power: (_event, point) => {
      point.pKw = 0;
    },
  },
} satisfies Record<string, AnomalyKind>;
