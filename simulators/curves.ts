/**
 * Curves of a whole fleet, one 15-minute step at a time (domain.md 5.1-5.4): primary P from the class
 * shape, then Q, voltages and currents derived from it, converted to what each meter sends, and
 * daily-frozen registers integrated from the same P. State lives in typed arrays so that a step of
 * 10,000 meters allocates little more than its records.
 */
import type { AnomalyEvent, MeterState, PrimaryPoint } from './anomaly-kind.js';
import { REGISTER_WRAP_KWH } from './anomaly-register.js';
import type { Fleet } from './fleet.js';
import { STEP_MS, isoLocal, localDayNumber, localMonth, localSlot, localWeekday } from './local-time.js';
import { PROFILE_PARAMS, quarterHourShape, type Profile, type ProfileParams } from './profiles.js';
import { roundA, roundKw, roundKwh, roundPf, roundV, type LoadRecord, type ReadingRecord, type StepSamples } from './records.js';
import { Rng } from './rng.js';
import { TARIFFS, tariffIndexOfSlot } from './tou.js';

export type { StepSamples } from './records.js';

const SQRT3 = Math.sqrt(3);
const PHASE_SHARE_PHI = 0.95;
// Registers start as if the meter had run since 2020 at its mean load, so restarts of the simulator keep them rising.
const REGISTER_EPOCH_DAY = 18_262;
// Registers per meter: total, sharp, peak, flat, valley, reverse.
const REGS = 6;

/** The primary values of one meter at the last step, for checks and tests. */
export interface PrimaryValues {
  pKw: number;
  qKvar: number;
  pf: number;
  voltageV: number[];
  currentA: number[];
}

export class CurveGenerator {
  private readonly n: number;
  private readonly rng: Rng;
  private readonly shapes = new Map<Profile, Float64Array>();
  private readonly noise: Float64Array;
  private readonly phaseShare: Float64Array;
  private readonly phaseOffset: Float64Array;
  private readonly dropAtPeak: Float64Array;
  private readonly peakKw: Float64Array;
  private readonly feederOffset: Float64Array;
  private readonly pfOfDay: Float64Array;
  private readonly dayScale: Float64Array;
  private readonly registers: Float64Array;
  private readonly lastP2: Float64Array;
  /** CT ratio the meter reports through (a replacement anomaly changes it). */
  private readonly ctRatio: Float64Array;
  private readonly last: { p: Float64Array; q: Float64Array; pf: Float64Array; u: Float64Array; i: Float64Array };
  private readonly eventsByMeter = new Map<number, AnomalyEvent[]>();
  private readonly point: PrimaryPoint = { wiring: '3P4W', pKw: 0, pf: 1, nominalV: 0, voltageV: new Float64Array(3), currentA: new Float64Array(3) };
  private day = NaN;
  private prevTsMs = NaN;

  constructor(
    private readonly fleet: Fleet,
    events: readonly AnomalyEvent[] = [],
  ) {
    const n = (this.n = fleet.meters.length);
    this.rng = new Rng('curves', fleet.seed);
    [this.noise, this.dropAtPeak, this.peakKw, this.feederOffset, this.pfOfDay, this.lastP2] = Array.from({ length: 6 }, () => new Float64Array(n));
    this.phaseShare = new Float64Array(n * 3);
    this.phaseOffset = new Float64Array(n * 3);
    this.registers = new Float64Array(n * REGS);
    this.ctRatio = Float64Array.from(fleet.meters, (m) => m.ctRatio);
    this.dayScale = new Float64Array(fleet.customers.length);
    this.last = { p: new Float64Array(n), q: new Float64Array(n), pf: new Float64Array(n), u: new Float64Array(n * 3), i: new Float64Array(n * 3) };
    for (const e of events) this.eventsByMeter.set(e.meterIndex, [...(this.eventsByMeter.get(e.meterIndex) ?? []), e]);
    for (const m of fleet.meters) {
      const c = fleet.customers[m.customerIndex];
      const shape = this.shape(c.profile);
      this.peakKw[m.index] = c.meanLoadKw * m.loadShare * Math.max(...shape);
      // 5.4 allows drops up to 6 % (10 % for households) on feeders up to +4 %; we keep the lower half so
      // that, without injected anomalies, voltages stay inside the GB/T 12325 bands and every alarm is labelled.
      this.dropAtPeak[m.index] = m.wiring === '1P' ? this.rng.range(0.02, 0.07) : this.rng.range(0.02, 0.04);
      const concentrator = fleet.concentrators.find((x) => x.id === m.concentratorId);
      this.feederOffset[m.index] = concentrator?.voltageOffset ?? this.rng.range(0, 0.04);
      for (let ch = 0; ch < 3; ch++) this.phaseOffset[m.index * 3 + ch] = this.rng.range(-0.01, 0.01);
    }
  }

  /** Generates the samples stamped tsMs; call with consecutive 15-minute instants. */
  step(tsMs: number): StepSamples {
    if (tsMs % STEP_MS !== 0) throw new Error(`step ${tsMs} is not on a 15-minute boundary`);
    if (Number.isNaN(this.prevTsMs)) this.initRegisters(tsMs);
    if (localDayNumber(tsMs) !== this.day) this.newDay(tsMs);
    const ts = isoLocal(tsMs);
    const slot = localSlot(tsMs);
    const integrate = tsMs - this.prevTsMs === STEP_MS;
    const tariff = tariffIndexOfSlot(localSlot(tsMs - STEP_MS));
    const out: StepSamples = { tsMs, voltage: new Array(this.n), current: new Array(this.n), load: new Array(this.n), reading: slot === 0 ? new Array(this.n) : null };
    for (let k = 0; k < this.n; k++) {
      const events = this.activeEvents(k, tsMs);
      for (const e of events) if (e.startMs === tsMs) e.kind.begin?.(e, this.meterState(k));
      this.meterStep(k, events, slot, ts, out);
      const p2 = out.load[k].p;
      if (integrate) this.addEnergy(k, tariff, ((this.lastP2[k] + p2) / 2) * (STEP_MS / 3_600_000), this.activeEvents(k, tsMs - STEP_MS));
      this.lastP2[k] = p2;
      if (out.reading) {
        const reading = (out.reading[k] = this.reading(k, ts));
        for (const e of events) e.kind.freeze?.(e, reading);
      }
    }
    this.prevTsMs = tsMs;
    return out;
  }

  primary(meterIndex: number): PrimaryValues {
    const { p, q, pf, u, i } = this.last;
    const k3 = meterIndex * 3;
    return { pKw: p[meterIndex], qKvar: q[meterIndex], pf: pf[meterIndex], voltageV: [...u.subarray(k3, k3 + 3)], currentA: [...i.subarray(k3, k3 + 3)] };
  }

  private meterStep(k: number, events: readonly AnomalyEvent[], slot: number, ts: string, out: StepSamples): void {
    const m = this.fleet.meters[k];
    const c = this.fleet.customers[m.customerIndex];
    const params = PROFILE_PARAMS[c.profile];
    const phi = params.noisePhi;
    this.noise[k] = phi * this.noise[k] + this.rng.normal(0, params.noiseSd * Math.sqrt(1 - phi * phi));
    const point = this.point;
    point.wiring = m.wiring;
    point.pKw = Math.max(0, c.meanLoadKw * m.loadShare * this.shape(c.profile)[slot] * this.dayScale[m.customerIndex] * (1 + this.noise[k]));
    point.pf = Math.min(0.999, Math.max(0.5, this.pfOfDay[k] + this.rng.normal(0, 0.005)));
    for (const e of events) e.kind.power?.(e, point, c);
    const unV = (point.nominalV = m.wiring === '3P4W' ? 220 : m.nominalVoltageV);
    const drop = this.dropAtPeak[k] * Math.min(1, point.pKw / Math.max(this.peakKw[k], 1e-9));
    const v0 = this.feederOffset[k];
    for (let ch = 0; ch < 3; ch++) point.voltageV[ch] = unV * (1 + v0 + this.phaseOffset[k * 3 + ch] - drop + this.rng.normal(0, 0.003));
    for (const e of events) e.kind.voltage?.(e, point, c);
    this.deriveCurrents(k, m.wiring, params);
    for (const e of events) e.kind.measured?.(e, point, c);
    this.keep(k);
    this.emit(k, ts, out);
  }

  /** Currents from P, PF and U (5.4 steps 1, 2, 4) into the point, where 'measured' anomalies may edit them. */
  private deriveCurrents(k: number, wiring: string, params: ProfileParams): void {
    const { pKw, pf, voltageV, currentA } = this.point;
    const k3 = k * 3;
    currentA.fill(0);
    if (wiring === '1P') {
      currentA[0] = (pKw * 1000) / (voltageV[0] * pf);
      return;
    }
    // Slowly varying phase shares around 1/3 with zero sum (5.4 step 1).
    const sd = params.phaseShareSd * Math.sqrt(1 - PHASE_SHARE_PHI * PHASE_SHARE_PHI);
    let mean = 0;
    for (let ch = 0; ch < 3; ch++) mean += (this.phaseShare[k3 + ch] = PHASE_SHARE_PHI * this.phaseShare[k3 + ch] + this.rng.normal(0, sd)) / 3;
    for (let ch = 0; ch < 3; ch++) {
      const deviation = this.phaseShare[k3 + ch] - mean;
      // Three-wire metering has elements on A and C only; both see nearly the balanced line current (5.4 step 4).
      currentA[ch] = wiring === '3P3W' ? ((1 + deviation / 4) * pKw * 1000) / (SQRT3 * voltageV[ch] * pf) : (((1 + deviation) * pKw) / 3) * 1000 / (voltageV[ch] * pf);
    }
  }

  /** The point as measured, with Q from P and PF, kept as the primary values of the step. */
  private keep(k: number): void {
    const { pKw, pf, voltageV, currentA } = this.point;
    const { u, i } = this.last;
    this.last.p[k] = pKw;
    this.last.pf[k] = pf;
    this.last.q[k] = pKw * Math.tan(Math.acos(pf));
    for (let ch = 0; ch < 3; ch++) {
      u[k * 3 + ch] = voltageV[ch];
      i[k * 3 + ch] = currentA[ch];
    }
  }

  /** Converts to the side the meter reports (5.4 step 5) and rounds to the protocol resolution. */
  private emit(k: number, ts: string, out: StepSamples): void {
    const m = this.fleet.meters[k];
    const secondary = m.valuesSide === 'secondary';
    const kPt = secondary ? m.ptRatio : 1;
    const kCt = secondary ? this.ctRatio[k] : 1;
    const { u, i, p, q, pf } = this.last;
    const k3 = k * 3;
    const v = (ch: number) => roundV(u[k3 + ch] / kPt);
    const a = (ch: number) => roundA(i[k3 + ch] / kCt);
    if (m.wiring === '1P') {
      out.voltage[k] = { meter: m.id, ts, a: v(0) };
      out.current[k] = { meter: m.id, ts, a: a(0) };
    } else if (m.wiring === '3P3W') {
      out.voltage[k] = { meter: m.id, ts, a: v(0), c: v(2) };
      out.current[k] = { meter: m.id, ts, a: a(0), c: a(2) };
    } else {
      out.voltage[k] = { meter: m.id, ts, a: v(0), b: v(1), c: v(2) };
      out.current[k] = { meter: m.id, ts, a: a(0), b: a(1), c: a(2) };
    }
    const load: LoadRecord = { meter: m.id, ts, p: roundKw(p[k] / (kPt * kCt)), q: roundKw(q[k] / (kPt * kCt)), pf: roundPf(pf[k]) };
    out.load[k] = load;
  }

  /** Integrates one interval; anomalies active at its start may split it (reverse) or stop it. Registers wrap at 10^6. */
  private addEnergy(k: number, tariff: number, kwh: number, events: readonly AnomalyEvent[]): void {
    let [forward, reverse] = [kwh, 0];
    for (const e of events) if (e.kind.energy) [forward, reverse] = e.kind.energy(e, forward);
    const r = this.registers;
    const b = k * REGS;
    for (const [j, add] of [[0, forward], [1 + tariff, forward], [5, reverse]] as const) r[b + j] = (r[b + j] + add) % REGISTER_WRAP_KWH;
  }

  private meterState(k: number): MeterState {
    const meter = this.fleet.meters[k];
    return {
      meter, customer: this.fleet.customers[meter.customerIndex], registers: this.registers.subarray(k * REGS, (k + 1) * REGS),
      setCtRatio: (ratio) => (this.ctRatio[k] = ratio),
    };
  }

  /** Each register rounded on its own, so the total may differ from the tariff sum by a few 0.01 (5.4 step 6). */
  private reading(k: number, ts: string): ReadingRecord {
    const r = this.registers;
    const b = k * REGS;
    const tariffs = Object.fromEntries(TARIFFS.map((t, j) => [t, roundKwh(r[b + 1 + j])])) as Record<(typeof TARIFFS)[number], number>;
    return { meter: this.fleet.meters[k].id, ts, total: roundKwh(r[b]), ...tariffs, reverse: roundKwh(r[b + 5]) };
  }

  private initRegisters(tsMs: number): void {
    const days = Math.max(0, localDayNumber(tsMs) - REGISTER_EPOCH_DAY);
    for (const m of this.fleet.meters) {
      const c = this.fleet.customers[m.customerIndex];
      const k = m.valuesSide === 'secondary' ? m.ctRatio * m.ptRatio : 1;
      const dailyKwh2 = (c.meanLoadKw * m.loadShare * 24) / k;
      const split = [0.08, 0.4, 0.22, 0.3];
      const start = this.rng.range(0, 3000) + days * dailyKwh2;
      this.registers[m.index * REGS] = start;
      for (let j = 0; j < 4; j++) this.registers[m.index * REGS + 1 + j] = start * split[j];
    }
  }

  /** Day-level values drawn from (seed, day) alone, so a restarted run sees the same days. */
  private newDay(tsMs: number): void {
    this.day = localDayNumber(tsMs);
    const rng = new Rng('day', this.fleet.seed, this.day);
    const weekday = localWeekday(tsMs);
    const month = localMonth(tsMs);
    for (let ci = 0; ci < this.fleet.customers.length; ci++) {
      const c = this.fleet.customers[ci];
      const p = PROFILE_PARAMS[c.profile];
      const weekend = weekday === 6 ? (c.weekendFactor ?? p.saturday) : weekday === 0 ? (c.weekendFactor ?? p.sunday) : 1;
      const season = month === 6 || month === 7 ? p.summer : month === 11 || month === 0 ? p.winter : 1;
      this.dayScale[ci] = weekend * season * Math.max(0.2, rng.normal(1, p.daySd));
    }
    for (const m of this.fleet.meters) {
      const p = PROFILE_PARAMS[this.fleet.customers[m.customerIndex].profile];
      this.pfOfDay[m.index] = Math.min(0.995, Math.max(0.7, rng.normal(p.pfMean, p.pfSd)));
    }
  }

  private activeEvents(k: number, tsMs: number): AnomalyEvent[] {
    const events = this.eventsByMeter.get(k);
    if (!events) return NO_EVENTS;
    return events.filter((e) => tsMs >= e.startMs && tsMs <= e.endMs);
  }

  private shape(profile: Profile): Float64Array {
    let s = this.shapes.get(profile);
    if (!s) this.shapes.set(profile, (s = quarterHourShape(PROFILE_PARAMS[profile].hourShape)));
    return s;
  }
}

const NO_EVENTS: AnomalyEvent[] = [];
