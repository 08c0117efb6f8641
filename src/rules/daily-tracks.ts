import type { MeterContext } from '../domain/archive.js';
import type { PointValue } from './counter.js';
import { mergePoints } from './curve-point.js';
import { curveTracks, dayValue } from './curve-tracks.js';
import type { DayInput } from './day-input.js';
import { energyOfDayKwh, mean30Kwh, pctOfBaseline, pfDeficit, sameWeekdayBaselineKwh, zeroConsumption } from './load/daily.js';
import { decreaseKwh, jumpPctOfContract, reverseKwh, stoppedWithLoad, tariffMismatch } from './registers/checks.js';
import type { Reading } from './registers/delta.js';
import type { RuleCode } from './rule-codes.js';
import type { RuleSettings } from './settings.js';
import { conditionTrack, thresholdTrack, tierValues, type TrackDef } from './track.js';
import { compliance } from './voltage/compliance.js';
import { bandVolts, qualifiedBand, voltageReference, type VoltageBands } from './voltage-band.js';

/** A daily track and its value for the day (one point at the day's start). */
export interface DailyPoint {
  def: TrackDef;
  value: PointValue;
}

const sum = (xs: readonly (number | null)[]) => {
  const present = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
};

function closingAndPrevious(day: DayInput): { closing?: Reading; prevAtStart?: Reading; prevAny?: Reading } {
  const closing = day.readings.find((r) => r.tsMs === day.dayEndMs);
  const before = day.readings.filter((r) => r.tsMs < day.dayEndMs);
  return { closing, prevAtStart: before.find((r) => r.tsMs === day.dayStartMs), prevAny: before.at(-1) };
}

function complianceTracks(ctx: MeterContext, rule: 'V1' | 'V3', s: RuleSettings, day: DayInput, bands: VoltageBands): DailyPoint[] {
  const { referenceV, phases } = voltageReference(ctx.meter);
  const band = bandVolts(referenceV, qualifiedBand(ctx.meter, bands));
  return phases.map((phase) => {
    const c = compliance(day.voltage.map((v) => v.values[phase.toLowerCase() as 'a' | 'b' | 'c']), band);
    const def = thresholdTrack(rule, phase, s, 'under', '%', { approx: true, monitoredPoints: c?.monitoredPoints ?? 0 });
    return { def, value: tierValues(s.tiers, c ? { '': c.compliancePct, compliance: c.compliancePct } : null) };
  });
}

// Threshold for M3: |P| ≥ 0.4 kW on the meter's own (secondary) scale means load flows (domain.md 2.6, ERC30).
const STOP_LOAD_KW_SECONDARY = 0.4;

function registerPoint(ctx: MeterContext, rule: RuleCode, s: RuleSettings, day: DayInput): DailyPoint | undefined {
  const { closing, prevAtStart, prevAny } = closingAndPrevious(day);
  if (!closing) return undefined;
  switch (rule) {
    case 'M1':
      return { def: thresholdTrack(rule, '', s, 'over', 'kWh'), value: decreaseKwh(prevAny, closing) };
    case 'M2':
      return { def: thresholdTrack(rule, '', s, 'over', '%', { contractKva: ctx.customer.contractKva }), value: jumpPctOfContract(prevAtStart, closing, ctx.customer.contractKva) };
    case 'M3': {
      const loadPoints = day.load.length === 0 ? null
        : day.load.filter((l) => l.values.p !== null && Math.abs(l.values.p) / l.multiplier >= STOP_LOAD_KW_SECONDARY).length;
      return { def: conditionTrack(rule, '', s, { loadPoints }), value: stoppedWithLoad(prevAtStart, closing, loadPoints) };
    }
    case 'M4': {
      const m = tariffMismatch(closing);
      // The tier without a thresholdValue is the rounding tolerance: its value is the excess over it.
      const value = m === null ? null : s.tiers.map((t) => (t.thresholdValue === undefined ? m.mismatchKwh - m.toleranceKwh : m.mismatchKwh));
      return { def: thresholdTrack(rule, '', s, 'over', 'kWh', { toleranceKwh: m?.toleranceKwh ?? null }), value };
    }
    case 'M5':
      // The archive has no generation (PV) flag yet: every customer is treated as having none.
      return { def: thresholdTrack(rule, '', s, 'over', 'kWh', { generation: false }), value: reverseKwh(prevAny, closing) };
    default:
      return undefined;
  }
}

function energyPoint(ctx: MeterContext, rule: RuleCode, s: RuleSettings, day: DayInput): DailyPoint | undefined {
  const energyKwh = energyOfDayKwh(day.readings, day.dayStartMs);
  const baselineKwh = sameWeekdayBaselineKwh(day.readings, day.dayStartMs);
  switch (rule) {
    case 'D1':
      return { def: thresholdTrack(rule, '', s, 'under', '%', { energyKwh, baselineKwh }), value: pctOfBaseline(energyKwh, baselineKwh) };
    case 'D2': {
      const m30 = mean30Kwh(day.readings, day.dayStartMs);
      return {
        def: thresholdTrack(rule, '', s, 'over', '%', { energyKwh, baselineKwh, mean30Kwh: m30 }),
        value: tierValues(s.tiers, { '': pctOfBaseline(energyKwh, baselineKwh), mean30: pctOfBaseline(energyKwh, m30) }),
      };
    }
    case 'Z1': {
      const { referenceV } = voltageReference(ctx.meter);
      const present = day.voltage.length === 0 ? null
        : day.voltage.some((v) => [v.values.a, v.values.b, v.values.c].some((u) => u !== null && u > 0.6 * referenceV));
      return { def: conditionTrack(rule, '', s, { energyKwh }), value: zeroConsumption(energyKwh, present) };
    }
    case 'O2': {
      // No separate demand contract in the archive: the contract capacity (kVA) stands for the contract demand (kW).
      const contract = ctx.customer.contractKva;
      const max = day.monthToDate.maxPkw;
      const value = contract === null || !(contract > 0) || max === null ? null : (Math.abs(max) / contract) * 100;
      return { def: thresholdTrack(rule, '', s, 'over', '%', { contractDemandKw: contract, monthMaxKw: max }), value };
    }
    case 'P1': {
      const std = ctx.customer.pfStandard;
      const daily = pfDeficit(sum(day.load.map((l) => l.values.p)), sum(day.load.map((l) => (l.values.q === null ? null : Math.abs(l.values.q)))), std);
      const mtd = pfDeficit(day.monthToDate.sumPkw, day.monthToDate.sumQkvar, std);
      return { def: thresholdTrack(rule, '', s, 'over', 'PF/100', { pfStandard: std }), value: tierValues(s.tiers, { '': daily, daily, monthToDate: mtd }) };
    }
    default:
      return registerPoint(ctx, rule, s, day);
  }
}

/** The daily rules (and daily forms of curve rules) of one meter for one data date. */
export function dailyPoints(ctx: MeterContext, rule: RuleCode, s: RuleSettings, day: DayInput, bands: VoltageBands): DailyPoint[] {
  if (rule === 'V3' || (rule === 'V1' && s.form === 'daily')) return complianceTracks(ctx, rule, s, day, bands);
  if (s.form === 'daily' && ['V2', 'V4', 'L1', 'L2', 'L3', 'L4', 'I1', 'O1'].includes(rule)) {
    const points = [...mergePoints([...day.voltage, ...day.current, ...day.load]).values()];
    const { referenceV } = voltageReference(ctx.meter);
    // The daily forms of the supply rules apply to three-phase meters only (domain.md 3.2, "LV three-phase").
    if (rule.startsWith('L') && ctx.meter.wiring === '1P') return [];
    return curveTracks(ctx, rule, s, bands).map((t) => ({ def: t, value: dayValue(t, points, referenceV) }));
  }
  const p = energyPoint(ctx, rule, s, day);
  return p ? [p] : [];
}
