import type { Severity } from '../../domain/alarm.js';
import type { RuleSettings } from '../settings-types.js';
import type { Transition } from '../transition.js';
import { addDays, localTimeMs } from '../../domain/calendar.js';
import { completenessPct, completenessVerdict, freezeMissingTier, mostSevere } from './tiers.js';

export const CURVE_KINDS = ['voltage', 'current', 'load'] as const;
export type CurveKindName = (typeof CURVE_KINDS)[number];

/** What arrived for one meter about data date D, with its effective C1/C2 settings. */
export interface MeterCollection {
  meterId: string;
  concentratorId: string | null;
  c1: RuleSettings | undefined;
  c2: RuleSettings | undefined;
  /** Consecutive data dates up to D whose closing freeze is missing (0: D's freeze arrived), capped at the lookback. */
  missingDays: number;
  /** Valid curve points of D per kind. */
  curvePoints: Record<CurveKindName, number>;
}

export interface CollectionDay {
  /** Data date D, 'YYYY-MM-DD' local. */
  day: string;
  timeZone: string;
  /** Curve points a complete day has per kind (96 at 15 min). */
  expectedPoints: number;
  /** A concentrator is judged as one only with at least this many meters (one meter: its own alarm keeps its customer). */
  minGroupMeters: number;
  meters: readonly MeterCollection[];
  /** Severity of the open C1/C2 alarms, keyed by openKey(originator key, rule). */
  open: ReadonlyMap<string, Severity>;
}

const CONCENTRATOR = 'concentrator:';
export const concentratorOriginator = (id: string) => `${CONCENTRATOR}${id}`;
export const openKey = (originatorKey: string, rule: 'C1' | 'C2') => `${originatorKey}|${rule}`;

const silent = (m: MeterCollection) => m.missingDays > 0 && CURVE_KINDS.every((k) => m.curvePoints[k] === 0);

/** Concentrators all of whose meters (at least minGroupMeters) are silent for D. */
function silentConcentrators(d: CollectionDay): Map<string, MeterCollection[]> {
  const byConcentrator = new Map<string, MeterCollection[]>();
  for (const m of d.meters) {
    if (m.concentratorId === null) continue;
    const list = byConcentrator.get(m.concentratorId);
    if (list) list.push(m);
    else byConcentrator.set(m.concentratorId, [m]);
  }
  for (const [id, list] of byConcentrator) if (list.length < d.minGroupMeters || !list.every(silent)) byConcentrator.delete(id);
  return byConcentrator;
}

type Base = Pick<Transition, 'meterId' | 'originator' | 'phase'>;

function c1Raise(d: CollectionDay, who: Base, missingDays: number, severity: Severity, threshold: number, details: Record<string, unknown>): Transition {
  const closingMs = localTimeMs(addDays(d.day, 1), 0, d.timeZone);
  return {
    ...who, kind: 'raise', rule: 'C1', severity,
    // The first missing freeze: the one closing the first missing data date (domain.md decision 2).
    startTsMs: localTimeMs(addDays(d.day, 2 - missingDays), 0, d.timeZone),
    lastTsMs: closingMs, atTsMs: closingMs, value: missingDays, peakValue: missingDays, threshold,
    details: { day: d.day, missingDays, ...details },
  };
}

function clearOf(d: CollectionDay, who: Base, rule: 'C1' | 'C2', severity: Severity, value: number): Transition {
  const atMs = localTimeMs(addDays(d.day, 1), 0, d.timeZone);
  return { ...who, kind: 'clear', rule, severity, startTsMs: atMs, lastTsMs: atMs, atTsMs: atMs, value, peakValue: value, threshold: 0, details: { clearedByDay: d.day } };
}

function meterC2(d: CollectionDay, m: MeterCollection, who: Base, out: Transition[]): void {
  const open = d.open.get(openKey(m.meterId, 'C2'));
  // A wholly silent meter is C1's problem: one alarm per problem.
  if (silent(m)) return;
  const perKind = Object.fromEntries(CURVE_KINDS.map((k) => [k, completenessPct(m.curvePoints[k], d.expectedPoints)]));
  const worstPct = Math.min(...Object.values(perKind));
  const verdict = completenessVerdict(worstPct, m.c2);
  if (verdict.kind === 'violating') {
    const startMs = localTimeMs(d.day, 0, d.timeZone);
    const endMs = localTimeMs(addDays(d.day, 1), 0, d.timeZone);
    out.push({
      ...who, kind: 'raise', rule: 'C2', severity: verdict.tier.severity, startTsMs: startMs, lastTsMs: endMs, atTsMs: endMs,
      value: worstPct, peakValue: worstPct, threshold: verdict.limitPct,
      details: { day: d.day, completenessPct: perKind, expectedPoints: d.expectedPoints },
    });
  } else if (verdict.kind === 'recovered' && open) out.push(clearOf(d, who, 'C2', open, worstPct));
}

/**
 * The collection checks of data date D (domain.md 2.6, 3.2 C1/C2) as alarm transitions: a raise for every
 * violation (the alarm store makes a repeated raise a no-op or an update), a clear only for open alarms whose
 * data has arrived since (late data auto-clears). A concentrator whose meters are all silent gets one C1 alarm
 * at the most severe level of its meters' settings; its meters get none of their own (their open ones stay).
 */
export function planCollection(d: CollectionDay): Transition[] {
  const out: Transition[] = [];
  const grouped = silentConcentrators(d);
  for (const [id, meters] of grouped) {
    const missingDays = Math.min(...meters.map((m) => m.missingDays));
    const tier = mostSevere(meters.flatMap((m) => freezeMissingTier(missingDays, m.c1) ?? []), () => true);
    if (tier) {
      out.push(c1Raise(d, { meterId: '', originator: concentratorOriginator(id), phase: '' }, missingDays, tier.severity, tier.sustainPoints, {
        concentratorId: id, meterIds: meters.map((m) => m.meterId),
      }));
    }
  }
  for (const [key, severity] of d.open) {
    const [originator, rule] = key.split('|');
    const id = originator.startsWith(CONCENTRATOR) ? originator.slice(CONCENTRATOR.length) : undefined;
    if (id !== undefined && rule === 'C1' && !grouped.has(id)) out.push(clearOf(d, { meterId: '', originator, phase: '' }, 'C1', severity, 0));
  }
  for (const m of d.meters) {
    if (m.concentratorId !== null && grouped.has(m.concentratorId)) continue;
    const who: Base = { meterId: m.meterId, phase: '' };
    const tier = freezeMissingTier(m.missingDays, m.c1);
    const open = d.open.get(openKey(m.meterId, 'C1'));
    if (tier) out.push(c1Raise(d, who, m.missingDays, tier.severity, tier.sustainPoints, {}));
    else if (open && m.missingDays === 0) out.push(clearOf(d, who, 'C1', open, 0));
    meterC2(d, m, who, out);
  }
  return out;
}
