/** What a device can send (docs/protocol.md). */
export const KINDS = ['voltage', 'current', 'load', 'reading'] as const;
export type Kind = (typeof KINDS)[number];

/** Each kind's place in KINDS: a small integer where a kind is packed into a number or a byte. */
export const KIND_INDEX = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Readonly<Record<Kind, number>>;

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

/** Per-phase values; null = the meter could not read it (domain.md decision 5). Absent phases are null too. */
export interface PhaseValues {
  a: number | null;
  b: number | null;
  c: number | null;
}

/** A phase's channel in PhaseValues (a table, not toLowerCase: rules read channels for every point). */
export const PHASE_CHANNEL: Readonly<Record<'A' | 'B' | 'C', keyof PhaseValues>> = { A: 'a', B: 'b', C: 'c' };

export interface LoadValues {
  /** Active power, kW. */
  p: number | null;
  /** Reactive power, kvar. */
  q: number | null;
  pf: number | null;
}

export interface ReadingValues {
  /** Forward active register, kWh, at the freeze instant. */
  total: number | null;
  sharp: number | null;
  peak: number | null;
  flat: number | null;
  valley: number | null;
  reverse: number | null;
}

export interface ValuesByKind {
  voltage: PhaseValues;
  current: PhaseValues;
  load: LoadValues;
  reading: ReadingValues;
}

/** Column names per kind, in storage order. */
export const KIND_COLUMNS: { [K in Kind]: readonly (keyof ValuesByKind[K])[] } = {
  voltage: ['a', 'b', 'c'],
  current: ['a', 'b', 'c'],
  load: ['p', 'q', 'pf'],
  reading: ['total', 'sharp', 'peak', 'flat', 'valley', 'reverse'],
};

/** One sample of one meter, in primary values, as stored. */
export interface Sample<K extends Kind = Kind> {
  kind: K;
  meterId: string;
  tsMs: number;
  values: ValuesByKind[K];
  /** Multiplier applied to turn the meter's values into primary values (1 when already primary). */
  multiplier: number;
}

export type AnySample = { [K in Kind]: Sample<K> }[Kind];
