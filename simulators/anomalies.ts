/**
 * Anomaly injection (domain.md 5.5). Each kind is data plus two small functions, so that a new kind
 * is one more entry in ANOMALY_KINDS. Events are planned up front from the seed, early in the run.
 */
import type { Phase } from '../src/domain/alarm.js';
import type { CustomerClass } from '../src/domain/customer-class.js';
import type { Fleet, SimCustomer, SimMeter } from './fleet.js';
import { STEP_MS, isoLocal } from './local-time.js';
import { Rng } from './rng.js';

/** The primary values of one meter at one step while they are being generated; anomalies edit them. */
export interface PrimaryPoint {
  pKw: number;
  pf: number;
  /** Nominal of the voltage channels: phase voltage for 3P4W and 1P, line voltage for 3P3W. */
  nominalV: number;
  /** Phase (3P4W, 1P in [0]) or line (3P3W: [0] = Uab, [2] = Ucb) voltages, V. */
  voltageV: Float64Array;
}

export interface AnomalyLabel {
  anomaly: AnomalyName;
  meterId: string;
  customerId: string;
  phase?: Phase;
  /** First and last affected sample, inclusive. */
  startTs: string;
  endTs: string;
}

export interface AnomalyEvent {
  meterIndex: number;
  startMs: number;
  endMs: number;
  factor: number;
  /** Channel indices (0 = a, 1 = b, 2 = c) a voltage anomaly shifts. */
  channels: readonly number[];
  kind: AnomalyKind;
  label: AnomalyLabel;
}

interface Drawn {
  points: number;
  factor: number;
  channels: readonly number[];
}

export interface AnomalyKind {
  /** power: edits P before voltages and currents are derived; voltage: edits U before currents are. */
  stage: 'power' | 'voltage';
  eligible(meter: SimMeter, customer: SimCustomer): boolean;
  draw(rng: Rng, meter: SimMeter): Drawn;
  apply(event: AnomalyEvent, point: PrimaryPoint, customer: SimCustomer): void;
}

// Classes whose rules act on single 15-min points (domain.md 3.2), so an injected anomaly alarms at once.
const CURVE_CLASSES: readonly CustomerClass[] = ['KEY', 'TOP100', 'DH_KEY', 'DH_GROWTH', 'DEDICATED'];
const curveMonitored = (c: SimCustomer) => c.classes.some((k) => CURVE_CLASSES.includes(k));

function voltageShift(minFactor: number, maxFactor: number): AnomalyKind {
  return {
    stage: 'voltage',
    eligible: (_m, c) => curveMonitored(c),
    draw: (rng, meter) => {
      const available = meter.wiring === '1P' ? [0] : meter.wiring === '3P3W' ? [0, 2] : [0, 1, 2];
      const channels = available.length > 1 && rng.chance(0.5) ? available : [rng.pick(available)];
      return { points: rng.int(4, 16), factor: rng.range(minFactor, maxFactor), channels };
    },
    // Set relative to nominal, keeping a fifth of the natural deviation, so the shift always crosses the band.
    apply: (event, point) => {
      for (const ch of event.channels) point.voltageV[ch] = point.nominalV * event.factor + (point.voltageV[ch] - point.nominalV) * 0.2;
    },
  };
}

export const ANOMALY_KINDS = {
  // Swell / sag (5.5): beyond the +7 % / -7 % (-10 % on 220 V) qualified bands of GB/T 12325.
  'over-voltage': voltageShift(1.09, 1.25),
  'under-voltage': voltageShift(0.75, 0.88),
  overload: {
    stage: 'power',
    eligible: (m, c) => m.isMain && c.contractKva !== null && curveMonitored(c),
    draw: (rng) => ({ points: rng.int(2, 12), factor: rng.range(1.1, 1.5), channels: [] }),
    apply: (event, point, customer) => {
      point.pKw = event.factor * (customer.contractKva ?? 0) * point.pf;
    },
  },
} satisfies Record<string, AnomalyKind>;

export type AnomalyName = keyof typeof ANOMALY_KINDS;
export const ANOMALY_NAMES = Object.keys(ANOMALY_KINDS) as AnomalyName[];

export function isAnomalyName(name: string): name is AnomalyName {
  return (ANOMALY_NAMES as string[]).includes(name);
}

/**
 * Picks meters and times for each requested kind: about one event per 300 meters (1 to 10), the
 * first starting 2-4 steps into the run and the others a few steps apart, so a demo alarms within seconds.
 * A meter carries at most one event.
 */
export function planAnomalies(fleet: Fleet, names: readonly AnomalyName[], startMs: number): AnomalyEvent[] {
  const rng = new Rng('anomalies', fleet.seed);
  const used = new Set<number>();
  const events: AnomalyEvent[] = [];
  const count = Math.min(10, Math.max(1, Math.ceil(fleet.meters.length / 300)));
  for (const name of names) {
    const kind: AnomalyKind = ANOMALY_KINDS[name];
    const free = (m: SimMeter) => !used.has(m.index);
    let candidates = fleet.meters.filter((m) => free(m) && kind.eligible(m, fleet.customers[m.customerIndex]));
    if (candidates.length === 0) candidates = fleet.meters.filter((m) => free(m) && (kind.stage === 'voltage' || m.isMain));
    for (let i = 0; i < count && candidates.length > 0; i++) {
      const meter = candidates.splice(rng.int(0, candidates.length - 1), 1)[0];
      used.add(meter.index);
      const drawn = kind.draw(rng, meter);
      const eventStartMs = startMs + (2 + i * 6 + rng.int(0, 2)) * STEP_MS;
      events.push(makeEvent(fleet, name, kind, meter, drawn, eventStartMs));
    }
  }
  return events.sort((a, b) => a.startMs - b.startMs || a.meterIndex - b.meterIndex);
}

function makeEvent(fleet: Fleet, name: AnomalyName, kind: AnomalyKind, meter: SimMeter, drawn: Drawn, startMs: number): AnomalyEvent {
  const endMs = startMs + (drawn.points - 1) * STEP_MS;
  const label: AnomalyLabel = { anomaly: name, meterId: meter.id, customerId: fleet.customers[meter.customerIndex].id, startTs: isoLocal(startMs), endTs: isoLocal(endMs) };
  if (drawn.channels.length === 1) label.phase = (['A', 'B', 'C'] as const)[drawn.channels[0]];
  return { meterIndex: meter.index, startMs, endMs, factor: drawn.factor, channels: drawn.channels, kind, label };
}

/** The label file: one JSON object per line. */
export function labelsJsonLines(events: readonly AnomalyEvent[]): string {
  return events.map((e) => JSON.stringify(e.label) + '\n').join('');
}
