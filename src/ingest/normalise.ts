import type { Meter, Wiring } from '../domain/archive.js';
import type { AnySample, Kind } from '../domain/sample.js';

/**
 * Secondary to primary (domain.md 1.6): U x K_PT, I x K_CT, P, Q and energy x K (= K_PT x K_CT);
 * power factor has no unit. Null stays null: missing is not zero (decision 5).
 */
export function multiplierFor(kind: Kind, meter: Meter): number {
  if (meter.valuesSide === 'primary') return 1;
  switch (kind) {
    case 'voltage':
      return meter.ptRatio;
    case 'current':
      return meter.ctRatio;
    case 'load':
    case 'reading':
      return meter.ptRatio * meter.ctRatio;
  }
}

type Record_ = Readonly<Record<string, unknown>>;

const num = (v: unknown, k: number): number | null => (typeof v === 'number' ? v * k : null);

export function normalise(kind: Kind, meterId: string, tsMs: number, record: Record_, meter: Meter): AnySample {
  const k = multiplierFor(kind, meter);
  switch (kind) {
    case 'voltage':
    case 'current':
      return { kind, meterId, tsMs, multiplier: k, values: { a: num(record.a, k), b: num(record.b, k), c: num(record.c, k) } };
    case 'load':
      return { kind, meterId, tsMs, multiplier: k, values: { p: num(record.p, k), q: num(record.q, k), pf: num(record.pf, 1) } };
    case 'reading':
      return {
        kind,
        meterId,
        tsMs,
        multiplier: k,
        values: {
          total: num(record.total, k),
          sharp: num(record.sharp, k),
          peak: num(record.peak, k),
          flat: num(record.flat, k),
          valley: num(record.valley, k),
          reverse: num(record.reverse, k),
        },
      };
  }
}

/** Phases a wiring does not have (domain.md 1.5): three-wire meters have no b, single-phase only a. */
const ABSENT_PHASES: Record<Wiring, readonly ('b' | 'c')[]> = { '1P': ['b', 'c'], '3P3W': ['b'], '3P4W': [] };

/** The phase a per-phase record carries that this wiring cannot measure, if any. */
export function wiringMismatch(kind: Kind, record: Record_, wiring: Wiring): string | undefined {
  if (kind !== 'voltage' && kind !== 'current') return undefined;
  for (const phase of ABSENT_PHASES[wiring]) if (record[phase] !== undefined && record[phase] !== null) return phase;
  return undefined;
}
