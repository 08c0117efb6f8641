/** Supply anomalies (domain.md 2.5 definitions, 5.5 recipes): 失压, 断相, 全失压, 失流 and current unbalance. */
import { channelsOf, curveMonitored, setRelative, type AnomalyKind, type PrimaryPoint } from './anomaly-kind.js';
import type { SimCustomer, SimMeter } from './fleet.js';
import type { Rng } from './rng.js';

const onePhase = (rng: Rng, meter: SimMeter) => [rng.pick(channelsOf(meter))];
const threePhase = (m: SimMeter) => m.wiring !== '1P';
/**
 * I1 is gated under 10 % of the rated current and L4 needs another phase over 5 % of it (domain.md 2.2, 2.5); the
 * archive's rated current of a CT meter is its Imax (6 A), which lightly loaded HV meters never reach a tenth of.
 * Current anomalies go on meters whose mean current is a fifth of it, so their daytime load clears the gate.
 */
function loadedEnough(m: SimMeter, c: SimCustomer): boolean {
  const lineV = m.wiring === '3P4W' ? 220 * Math.sqrt(3) : m.nominalVoltageV;
  const meanA = (c.meanLoadKw * m.loadShare * 1000) / (Math.sqrt(3) * lineV * 0.9) / m.ctRatio;
  return m.ratedCurrentA !== null && meanA >= 0.2 * m.ratedCurrentA;
}
/** Share of the measured power one channel carries: a third on 3P4W, half of a two-element 3P3W meter. */
const channelShare = (point: PrimaryPoint) => (point.wiring === '3P3W' ? 0.5 : 1 / 3);

export const SUPPLY_KINDS = {
  // 失压: U_X 30-70 % Un while I_X keeps flowing; the meter measures P_X = U_X·I_X·PF, so it under-counts.
  'voltage-loss': {
    rule: 'L1',
    alsoRules: ['V1', 'V2', 'V3', 'V4'],
    timing: 'points',
    eligible: (m, c) => curveMonitored(c) && threePhase(m),
    draw: (rng, meter) => ({ length: rng.int(2, 8), factor: rng.range(0.3, 0.7), channels: onePhase(rng, meter) }),
    measured: (event, point) => {
      const ch = event.channels[0];
      const share = channelShare(point);
      setRelative(point, ch, event.factor);
      point.pKw *= 1 - share * (1 - event.factor);
    },
  },
  // 断相: U_X under 30 % Un and I_X gone; the load on that phase is lost.
  'phase-failure': {
    rule: 'L2',
    alsoRules: ['V1', 'V2', 'V3', 'V4', 'I1'],
    timing: 'points',
    eligible: (m, c) => curveMonitored(c) && threePhase(m),
    draw: (rng, meter) => ({ length: rng.int(2, 8), factor: rng.range(0, 0.3), channels: onePhase(rng, meter) }),
    measured: (event, point) => {
      const ch = event.channels[0];
      point.pKw *= 1 - channelShare(point);
      point.voltageV[ch] = point.nominalV * event.factor;
      point.currentA[ch] = 0;
    },
  },
  // 全失压 / outage: every voltage and current to zero. Each phase is then also 断相 by its definition.
  outage: {
    rule: 'L3',
    alsoRules: ['L2', 'V1', 'V2', 'V3'],
    timing: 'points',
    eligible: (m, c) => curveMonitored(c) && threePhase(m),
    draw: (rng, meter) => ({ length: rng.int(2, 8), factor: 0, channels: channelsOf(meter) }),
    measured: (event, point) => {
      point.pKw = 0;
      for (const ch of event.channels) point.voltageV[ch] = point.currentA[ch] = 0;
    },
  },
  // 失流 (bypassed CT): I_X → 0 with U_X normal while the other phases carry load; 100 % current unbalance too.
  'current-loss': {
    rule: 'L4',
    alsoRules: ['I1'],
    timing: 'points',
    eligible: (m, c) => curveMonitored(c) && threePhase(m) && loadedEnough(m, c),
    draw: (rng, meter) => ({ length: rng.int(6, 16), factor: 0, channels: onePhase(rng, meter) }),
    measured: (event, point) => {
      point.pKw *= 1 - channelShare(point);
      point.currentA[event.channels[0]] = 0;
    },
  },
  // Phase shares +0.5 / 0 / -0.5 of the mean (5.5): (1.5 − 0.5) / 1.5 ≈ 67 %, over every class's 30 % for 8 points.
  'current-unbalance': {
    rule: 'I1',
    timing: 'points',
    eligible: (m, c) => curveMonitored(c) && threePhase(m) && loadedEnough(m, c),
    draw: (rng, meter) => ({ length: rng.int(10, 20), factor: 0.5, channels: channelsOf(meter) }),
    measured: (event, point) => {
      point.currentA[event.channels[0]] *= 1 + event.factor;
      point.currentA[event.channels[event.channels.length - 1]] *= 1 - event.factor;
    },
  },
} satisfies Record<string, AnomalyKind>;
