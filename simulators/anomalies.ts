/**
 * Anomaly injection (domain.md 5.5). Each kind is data plus a few hooks (anomaly-kind.ts), so that a new kind
 * is one more entry in ANOMALY_KINDS. Events are planned up front from the seed.
 */
import type { AnomalyEvent, AnomalyKind, AnomalyLabel, Drawn, Placement } from './anomaly-kind.js';
import { LOAD_KINDS } from './anomaly-load.js';
import { REGISTER_KINDS } from './anomaly-register.js';
import { SUPPLY_KINDS } from './anomaly-supply.js';
import { VOLTAGE_KINDS } from './anomaly-voltage.js';
import type { Fleet, SimMeter } from './fleet.js';
import { DAY_MS, STEP_MS, isoLocal, localMidnightMs } from './local-time.js';
import { Rng } from './rng.js';

export type { AnomalyEvent, AnomalyKind, AnomalyLabel, MeterState, PrimaryPoint } from './anomaly-kind.js';

export const ANOMALY_KINDS = { ...VOLTAGE_KINDS, ...SUPPLY_KINDS, ...LOAD_KINDS, ...REGISTER_KINDS } satisfies Record<string, AnomalyKind>;

export type AnomalyName = keyof typeof ANOMALY_KINDS;
export const ANOMALY_NAMES = Object.keys(ANOMALY_KINDS) as AnomalyName[];

export function isAnomalyName(name: string): name is AnomalyName {
  return (ANOMALY_NAMES as string[]).includes(name);
}

export interface PlanOptions {
  /**
   * Length of the run in days. Given, events spread over it (curve anomalies at 09:00-13:00 of any day but the
   * first and last, day anomalies where their placement asks); absent, curve anomalies start 2-4 steps into the
   * run and a few steps apart (a demo alarms within seconds) and day anomalies take the first whole day.
   */
  days?: number;
  /** Events per kind; default about one per 300 meters (1 to 10). */
  perKind?: number;
}

/** Picks meters and times for each requested kind. A meter carries at most one event. */
export function planAnomalies(fleet: Fleet, names: readonly AnomalyName[], startMs: number, options: PlanOptions = {}): AnomalyEvent[] {
  const rng = new Rng('anomalies', fleet.seed);
  const used = new Set<number>();
  const events: AnomalyEvent[] = [];
  const count = options.perKind ?? Math.min(10, Math.max(1, Math.ceil(fleet.meters.length / 300)));
  for (const name of names) {
    const kind: AnomalyKind = ANOMALY_KINDS[name];
    const free = (m: SimMeter) => !used.has(m.index);
    let candidates = fleet.meters.filter((m) => free(m) && kind.eligible(m, fleet.customers[m.customerIndex]));
    if (candidates.length === 0 && options.days === undefined) candidates = fleet.meters.filter((m) => free(m) && m.isMain);
    for (let i = 0; i < count && candidates.length > 0; i++) {
      const meter = candidates.splice(rng.int(0, candidates.length - 1), 1)[0];
      used.add(meter.index);
      const drawn = kind.draw(rng, meter, fleet.customers[meter.customerIndex]);
      const [eventStartMs, eventEndMs] = windowOf(rng, kind, drawn, startMs, i, options.days);
      events.push(makeEvent(fleet, name, kind, meter, drawn, eventStartMs, eventEndMs));
    }
  }
  return events.sort((a, b) => a.startMs - b.startMs || a.meterIndex - b.meterIndex);
}

/** First day (0-based) of a day-long anomaly of `length` days in a run of `days` days. */
function startDay(rng: Rng, placement: Placement, length: number, days: number): number {
  const last = Math.max(1, days - 1 - length);
  if (placement === 'monthStart') return Math.min(last, rng.int(1, 3));
  // The last week: D1/D2 compare a day with the same weekday 1-4 weeks back, so no later day sees it.
  if (placement === 'late') return Math.min(last, rng.int(Math.max(1, days - 8), last));
  return rng.int(1, last);
}

function windowOf(rng: Rng, kind: AnomalyKind, drawn: Drawn, runStartMs: number, i: number, days?: number): [number, number] {
  const firstMidnightMs = localMidnightMs(runStartMs) + (localMidnightMs(runStartMs) === runStartMs ? 0 : DAY_MS);
  const day0Ms = localMidnightMs(runStartMs);
  switch (kind.timing) {
    case 'run':
      return [runStartMs, runStartMs + (days ?? 1) * DAY_MS - STEP_MS];
    case 'days': {
      const d = days === undefined ? firstMidnightMs : day0Ms + startDay(rng, kind.placement ?? 'any', drawn.length, days) * DAY_MS;
      return [d, d + drawn.length * DAY_MS];
    }
    case 'freeze': {
      const f = days === undefined ? firstMidnightMs + DAY_MS : day0Ms + (startDay(rng, kind.placement ?? 'any', drawn.length, days) + 1) * DAY_MS;
      return [f, f + (drawn.length - 1) * DAY_MS];
    }
    case 'points': {
      const s = days === undefined
        ? runStartMs + (2 + i * 6 + rng.int(0, 2)) * STEP_MS
        : day0Ms + rng.int(1, Math.max(1, days - 2)) * DAY_MS + rng.int(36, 52) * STEP_MS;
      return [s, s + (drawn.length - 1) * STEP_MS];
    }
  }
}

function makeEvent(fleet: Fleet, name: AnomalyName, kind: AnomalyKind, meter: SimMeter, drawn: Drawn, startMs: number, endMs: number): AnomalyEvent {
  const label: AnomalyLabel = {
    anomaly: name, rule: kind.rule, meterId: meter.id, customerId: fleet.customers[meter.customerIndex].id, startTs: isoLocal(startMs), endTs: isoLocal(endMs),
  };
  if (kind.alsoRules) label.alsoRules = [...kind.alsoRules];
  if (drawn.channels.length === 1 && kind.timing === 'points') label.phase = (['A', 'B', 'C'] as const)[drawn.channels[0]];
  const event: AnomalyEvent = { meterIndex: meter.index, startMs, endMs, factor: drawn.factor, channels: drawn.channels, kind, label };
  if (kind.archiveChange) label.archiveChange = kind.archiveChange(event, meter);
  return event;
}

/** The label file: one JSON object per line. */
export function labelsJsonLines(events: readonly AnomalyEvent[]): string {
  return events.map((e) => JSON.stringify(e.label) + '\n').join('');
}
