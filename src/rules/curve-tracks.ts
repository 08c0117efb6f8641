import type { MeterContext } from '../domain/archive.js';
import { PHASE_CHANNEL } from '../domain/sample.js';
import type { PointValue } from './counter.js';
import { ratedPrimaryA, type CurveKind, type CurvePoint } from './curve-point.js';
import { currentUnbalancePct } from './load/current-unbalance.js';
import { loadRatePct } from './load-rate.js';
import type { RuleCode } from './rule-codes.js';
import type { RuleSettings } from './settings.js';
import { currentLoss, phaseFailure, totalLoss, voltageLoss, type SupplyLimits } from './supply/conditions.js';
import { conditionTrack, thresholdTrack, type TrackDef } from './track.js';
import { voltageUnbalancePct } from './voltage/unbalance.js';
import { bandVolts, qualifiedBand, voltageReference, type VoltageBands } from './voltage-band.js';

/** A curve rule on one phase: what it needs of a point, the value it reads, and how a day of points sums up. */
export interface CurveTrack extends TrackDef {
  needs: CurveKind[];
  read: (p: CurvePoint) => PointValue;
  /** Daily form (classes with daily data): the day's value from its points. */
  daily: 'max' | 'mean' | 'extreme';
}

const V2_DEFAULT_BAND = { upperPct: 120, lowerPct: 78 };

function voltageTracks(ctx: MeterContext, rule: 'V1' | 'V2', s: RuleSettings, bands: VoltageBands): CurveTrack[] {
  const { referenceV, phases } = voltageReference(ctx.meter);
  const bandPct = s.band ?? (rule === 'V1' ? qualifiedBand(ctx.meter, bands) : V2_DEFAULT_BAND);
  const { upperV, lowerV } = bandVolts(referenceV, bandPct);
  const limit = { upper: upperV, lower: lowerV, inclusive: false };
  return phases.map((phase) => ({
    rule, phase, needs: ['voltage'], daily: 'extreme',
    read: (p) => p.voltage?.[PHASE_CHANNEL[phase]] ?? null,
    tiers: s.tiers.map((t) => ({ severity: t.severity, sustainPoints: t.sustainPoints, limit })),
    opts: { ...s, peakScore: (v: number) => Math.abs(v - referenceV) },
    threshold: (_i, direction) => (direction === 'over' ? upperV : lowerV),
    details: (i, direction) => ({
      direction, unit: 'V', referenceV, band: { ...bandPct, upperV, lowerV },
      sustainPoints: s.tiers[i].sustainPoints, clearPoints: s.clearPoints,
    }),
  }));
}

function supplyTracks(ctx: MeterContext, rule: 'L1' | 'L2' | 'L3' | 'L4', s: RuleSettings): CurveTrack[] {
  const { referenceV, phases } = voltageReference(ctx.meter);
  const ibA = ratedPrimaryA(ctx);
  // Without a basic current "current present" cannot be judged; 1P meters have no other phase (L3/L4 need one).
  if (ibA === null || (ctx.meter.wiring === '1P' && rule !== 'L1' && rule !== 'L2')) return [];
  const lim: SupplyLimits = { referenceV, ibA };
  const extra = { referenceV, ibA };
  if (rule === 'L3') {
    return [{ ...conditionTrack(rule, '', s, extra), needs: ['voltage'], daily: 'max', read: (p) => (p.voltage ? totalLoss(phases, p.voltage, lim) : null) }];
  }
  return phases.map((phase) => ({
    ...conditionTrack(rule, phase, s, extra),
    needs: ['voltage', 'current'],
    daily: 'max',
    read: (p: CurvePoint) => {
      if (!p.voltage || !p.current) return null;
      const u = p.voltage[PHASE_CHANNEL[phase]];
      const i = p.current[PHASE_CHANNEL[phase]];
      if (rule === 'L1') return voltageLoss(u, i, lim);
      if (rule === 'L2') return phaseFailure(u, i, lim);
      return currentLoss(phase, phases, p.voltage, p.current, lim);
    },
  }));
}

export function curveTracks(ctx: MeterContext, rule: RuleCode, s: RuleSettings, bands: VoltageBands): CurveTrack[] {
  switch (rule) {
    case 'V1':
    case 'V2':
      return voltageTracks(ctx, rule, s, bands);
    case 'V4':
      return [{ ...thresholdTrack(rule, '', s, 'over', '%'), needs: ['voltage'], daily: 'mean', read: (p) => (p.voltage ? voltageUnbalancePct(ctx.meter.wiring, p.voltage) : null) }];
    case 'L1':
    case 'L2':
    case 'L3':
    case 'L4':
      return supplyTracks(ctx, rule, s);
    case 'I1': {
      const { phases } = voltageReference(ctx.meter);
      const ratedA = ratedPrimaryA(ctx);
      return [{
        ...thresholdTrack(rule, '', s, 'over', '%', { ratedA }), needs: ['current'], daily: 'mean',
        read: (p) => (p.current ? currentUnbalancePct(phases, p.current, ratedA, s.lightLoadPct ?? 10) : null),
      }];
    }
    case 'O1': {
      const contractKva = ctx.customer.contractKva;
      // Without a contract capacity there is nothing to compare the load with.
      if (contractKva === null || !(contractKva > 0)) return [];
      return [{
        ...thresholdTrack(rule, '', s, 'over', '%', { contractKva }), needs: ['load'], daily: 'max',
        read: (p) => (p.load ? loadRatePct(p.load, contractKva) : null),
      }];
    }
    default:
      return [];
  }
}

/** A curve track's day value from the day's points (daily form). */
export function dayValue(track: CurveTrack, points: readonly CurvePoint[], referenceV: number): PointValue {
  const values = points.filter((p) => track.needs.every((k) => p[k] !== undefined)).map((p) => track.read(p))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  if (track.daily === 'max') return Math.max(...values);
  if (track.daily === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((worst, v) => (Math.abs(v - referenceV) > Math.abs(worst - referenceV) ? v : worst));
}
