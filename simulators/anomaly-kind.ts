/** What an injectable anomaly is (domain.md 5.5): where it may go, when, and which hooks of the generator it edits. */
import type { Phase } from '../src/domain/alarm.js';
import type { Wiring } from '../src/domain/archive.js';
import type { CustomerClass } from '../src/domain/customer-class.js';
import type { RuleCode } from '../src/rules/rule-codes.js';
import type { SimCustomer, SimMeter } from './fleet.js';
import type { ReadingRecord } from './records.js';
import type { Rng } from './rng.js';

/** The primary values of one meter at one step while they are being generated; anomalies edit them. */
export interface PrimaryPoint {
  wiring: Wiring;
  pKw: number;
  pf: number;
  /** Nominal of the voltage channels: phase voltage for 3P4W and 1P, line voltage for 3P3W. */
  nominalV: number;
  /** Phase (3P4W, 1P in [0]) or line (3P3W: [0] = Uab, [2] = Ucb) voltages, V. */
  voltageV: Float64Array;
  /** Currents per channel, A; filled from P, U and PF before the 'measured' hooks run. */
  currentA: Float64Array;
}

/** The persistent state of one meter that register anomalies edit. */
export interface MeterState {
  meter: SimMeter;
  customer: SimCustomer;
  /** Secondary kWh: [total, sharp, peak, flat, valley, reverse], live (edits persist). */
  registers: Float64Array;
  /** Sets the CT ratio the meter's values are reported through from this step on (a replaced CT). */
  setCtRatio(ratio: number): void;
}

/**
 * 'points': a run of 15-min points inside one day; 'days': whole local days (the window runs to the next
 * midnight inclusive, so the register freeze closing the last day sees it); 'freeze': n consecutive daily
 * freezes; 'run': the whole run (negative controls set up at the start).
 */
export type Timing = 'points' | 'days' | 'freeze' | 'run';
/** Where in a multi-day run: 'any' day, 'late' (last week: no later day takes it into its D1/D2 baseline), 'monthStart'. */
export type Placement = 'any' | 'late' | 'monthStart';

export interface Drawn {
  /** Points ('points'), days ('days') or freezes ('freeze'). */
  length: number;
  factor: number;
  /** Channel indices (0 = a, 1 = b, 2 = c) a per-phase anomaly edits. */
  channels: readonly number[];
}

export interface AnomalyEvent {
  meterIndex: number;
  startMs: number;
  endMs: number;
  factor: number;
  channels: readonly number[];
  kind: AnomalyKind;
  label: AnomalyLabel;
}

export interface AnomalyLabel {
  anomaly: string;
  /** The rule this anomaly is meant to raise; null for a negative control (must raise nothing). */
  rule: RuleCode | null;
  /** Rules the anomaly legitimately raises as well, by their definitions (a lost phase is also out of band). */
  alsoRules?: RuleCode[];
  meterId: string;
  customerId: string;
  phase?: Phase;
  /** First and last affected sample (or freeze), inclusive. */
  startTs: string;
  endTs: string;
  /** An archive edit that comes with the anomaly from startTs on (meter replacement). */
  archiveChange?: { ctRatio: number };
}

export interface AnomalyKind {
  rule: RuleCode | null;
  alsoRules?: RuleCode[];
  timing: Timing;
  placement?: Placement;
  eligible(meter: SimMeter, customer: SimCustomer): boolean;
  draw(rng: Rng, meter: SimMeter, customer: SimCustomer): Drawn;
  /** Edits the load before voltages and currents follow from it. */
  power?(event: AnomalyEvent, point: PrimaryPoint, customer: SimCustomer): void;
  /** Edits the supply voltage before currents follow from it. */
  voltage?(event: AnomalyEvent, point: PrimaryPoint, customer: SimCustomer): void;
  /** Edits what the meter measures (U, I, P) after the currents are derived. */
  measured?(event: AnomalyEvent, point: PrimaryPoint, customer: SimCustomer): void;
  /** Splits the energy of an interval that starts in the window into [forward, reverse] secondary kWh. */
  energy?(event: AnomalyEvent, kwh: number): readonly [number, number];
  /** Once, at the first step of the window, before anything is generated for it. */
  begin?(event: AnomalyEvent, state: MeterState): void;
  /** Edits the sent reading (not the register) at each freeze inside the window. */
  freeze?(event: AnomalyEvent, reading: ReadingRecord): void;
  /** The archive edit that comes with the event. */
  archiveChange?(event: AnomalyEvent, meter: SimMeter): { ctRatio: number };
}

// Classes whose rules act on single 15-min points (domain.md 3.2), so an injected anomaly alarms at once.
export const CURVE_CLASSES: readonly CustomerClass[] = ['KEY', 'TOP100', 'DH_KEY', 'DH_GROWTH', 'DEDICATED'];
export const curveMonitored = (c: SimCustomer) => c.classes.some((k) => CURVE_CLASSES.includes(k));
export const inClasses = (c: SimCustomer, classes: readonly CustomerClass[]) => c.classes.some((k) => classes.includes(k));
export const TOP_CLASSES: readonly CustomerClass[] = ['KEY', 'TOP100'];

/** Voltage channels a wiring has: a, b, c on 3P4W; Uab and Ucb on 3P3W; a on 1P. */
export const channelsOf = (m: SimMeter): number[] => (m.wiring === '1P' ? [0] : m.wiring === '3P3W' ? [0, 2] : [0, 1, 2]);

/** Sets a channel relative to nominal, keeping a fifth of its natural deviation. */
export function setRelative(point: PrimaryPoint, ch: number, factor: number): void {
  point.voltageV[ch] = point.nominalV * factor + (point.voltageV[ch] - point.nominalV) * 0.2;
}
