/**
 * Register anomalies (domain.md 2.6 definitions, 5.5 recipes) and the negative controls for M1: a meter
 * replacement recorded in the archive and a register rollover must raise nothing.
 */
import type { AnomalyKind, MeterState } from './anomaly-kind.js';
import type { SimCustomer, SimMeter } from './fleet.js';
import { DAY_MS, STEP_MS } from './local-time.js';
import { TARIFFS } from './tou.js';

/** DL/T 645 registers wrap from 999999.99 to 0 (R_max + res = 10^6 kWh). */
export const REGISTER_WRAP_KWH = 1_000_000;
// The split of a fresh register over sharp / peak / flat / valley, as the generator starts them.
const TARIFF_SPLIT = [0.08, 0.4, 0.22, 0.3] as const;

const multiplier = (m: SimMeter) => (m.valuesSide === 'secondary' ? m.ctRatio * m.ptRatio : 1);
/** Mean daily energy on the meter's own (secondary) scale, kWh. */
export const dailyKwhSecondary = (m: SimMeter, c: SimCustomer) => (c.meanLoadKw * m.loadShare * 24) / multiplier(m);

/** Moves the total by deltaKwh and the tariff registers with it in proportion, so that they still add up. */
function shiftRegisters(r: Float64Array, deltaKwh: number): void {
  const tariffSum = r[1] + r[2] + r[3] + r[4];
  for (let j = 1; j <= 4; j++) r[j] += deltaKwh * (r[j] / tariffSum);
  r[0] += deltaKwh;
}

function setRegisters(state: MeterState, totalKwh: number): void {
  const r = state.registers;
  r[0] = totalKwh;
  TARIFF_SPLIT.forEach((s, j) => (r[1 + j] = totalKwh * s));
  r[5] = 0;
}

// Meters whose load is visible on the secondary side: |P| ≥ 0.4 kW at the day's peak is M3's load condition.
const loadVisible = (m: SimMeter, c: SimCustomer) => (c.meanLoadKw * m.loadShare * 1.5) / multiplier(m) > 0.6;

export const REGISTER_KINDS = {
  // 倒走: R ← R − δ at one freeze, δ 5-500 kWh secondary; the register goes on from there. The day's energy is negative.
  'register-decrease': {
    rule: 'M1',
    alsoRules: ['D1'],
    timing: 'freeze',
    placement: 'late',
    eligible: () => true,
    draw: (rng) => ({ length: 1, factor: rng.range(5, 500), channels: [] }),
    begin: (event, state) => shiftRegisters(state.registers, -event.factor),
  },
  // Control: meter and CT replaced at a freeze, the archive updated with the new CT ratio: the new register
  // starts near zero on another multiplier, which M1 must take for a replacement, not a decrease.
  'meter-replacement': {
    rule: null,
    timing: 'freeze',
    eligible: (m) => m.valuesSide === 'secondary' && m.ctRatio > 1,
    draw: (rng) => ({ length: 1, factor: rng.range(0, 20), channels: [] }),
    begin: (event, state) => {
      state.setCtRatio(state.meter.ctRatio * 2);
      setRegisters(state, event.factor);
    },
    archiveChange: (_event, meter) => ({ ctRatio: meter.ctRatio * 2 }),
  },
  // Control: the register starts just under 999999.99 and wraps to a small value partway through the run.
  rollover: {
    rule: null,
    timing: 'run',
    eligible: (m, c) => dailyKwhSecondary(m, c) > 2,
    draw: (rng) => ({ length: 1, factor: rng.range(0.3, 0.6), channels: [] }),
    begin: (event, state) => {
      const runDays = (event.endMs - event.startMs + STEP_MS) / DAY_MS;
      const wrapDay = Math.max(1, Math.round(event.factor * runDays));
      setRegisters(state, REGISTER_WRAP_KWH - 0.01 - dailyKwhSecondary(state.meter, state.customer) * (wrapDay - 0.5));
    },
  },
  // 飞走: +Δ at one freeze with Δ × K = 1.5-3 × S_contract × 24 h, over M2's 1.2.
  'register-jump': {
    rule: 'M2',
    alsoRules: ['D2'],
    timing: 'freeze',
    placement: 'late',
    eligible: (_m, c) => (c.contractKva ?? 0) > 0,
    draw: (rng) => ({ length: 1, factor: rng.range(1.5, 3), channels: [] }),
    begin: (event, state) => shiftRegisters(state.registers, (event.factor * (state.customer.contractKva ?? 0) * 24) / multiplier(state.meter)),
  },
  // 停走: the registers stand still for 1-2 whole days while the curve shows load; the day's energy is 0 with
  // voltage present, so Z1 (after its sustain) and D1 see it too.
  'register-stop': {
    rule: 'M3',
    alsoRules: ['Z1', 'D1'],
    timing: 'days',
    placement: 'late',
    eligible: loadVisible,
    draw: (rng) => ({ length: rng.int(1, 2), factor: 0, channels: [] }),
    energy: () => [0, 0],
  },
  // 示值不平: +ε (0.1-50 kWh) on one tariff register as sent at 1-2 freezes; the total is right.
  'tariff-mismatch': {
    rule: 'M4',
    timing: 'freeze',
    eligible: () => true,
    draw: (rng) => ({ length: rng.int(1, 2), factor: rng.range(0.1, 50), channels: [rng.int(0, 3)] }),
    freeze: (event, reading) => {
      const tariff = TARIFFS[event.channels[0]];
      reading[tariff] = Math.round((reading[tariff] + event.factor) * 100) / 100;
    },
  },
  // CT polarity reversed on one phase of a 3P4W meter: the net power is P/3; a meter that accumulates per phase
  // counts 2P/3 forward and P/3 reverse. P/3 with the same kvar is also a poor PF for the day.
  'reverse-energy': {
    rule: 'M5',
    alsoRules: ['P1'],
    timing: 'days',
    placement: 'late',
    eligible: (m) => m.wiring === '3P4W',
    draw: (rng) => ({ length: rng.int(1, 2), factor: 1 / 3, channels: [] }),
    measured: (event, point) => {
      point.pKw *= event.factor;
    },
    energy: (_event, kwh) => [2 * kwh, kwh],
  },
} satisfies Record<string, AnomalyKind>;
