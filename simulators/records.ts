/** What the simulated meters send, in the protocol's field names (docs/protocol.md), each tagged with its meter. */
export interface PhaseRecord {
  meter: string;
  ts: string;
  a: number;
  b?: number;
  c?: number;
}

export interface LoadRecord {
  meter: string;
  ts: string;
  p: number;
  q: number;
  pf: number;
}

export interface ReadingRecord {
  meter: string;
  ts: string;
  total: number;
  sharp: number;
  peak: number;
  flat: number;
  valley: number;
  reverse: number;
}

/** One 15-minute step of the whole fleet; the arrays are indexed by meter index. */
export interface StepSamples {
  tsMs: number;
  voltage: PhaseRecord[];
  current: PhaseRecord[];
  load: LoadRecord[];
  /** Daily-frozen registers, only at local midnight. */
  reading: ReadingRecord[] | null;
}

// Protocol resolutions (domain.md 1.2, DL/T 645): V 0.1, A 0.001, kW and kvar 0.0001, PF 0.001, kWh 0.01.
export const roundV = (x: number) => Math.round(x * 10) / 10;
export const roundA = (x: number) => Math.round(x * 1000) / 1000;
export const roundPf = roundA;
export const roundKw = (x: number) => Math.round(x * 10_000) / 10_000;
export const roundKwh = (x: number) => Math.round(x * 100) / 100;
