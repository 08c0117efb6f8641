import type { AnySample, Kind } from '../domain/sample.js';

export interface WriteResult {
  /** New rows. */
  inserted: number;
  /** Existing rows replaced by a re-send with other values. */
  overwritten: number;
  /** Identical re-sends: nothing changed. */
  duplicates: number;
  /**
   * Rows stored by a store that cannot tell a new row from a replaced or identical one (QuestDB's
   * DEDUP UPSERT answers only "accepted"). Counted here, never guessed into the three above; absent = 0.
   */
  unclassified?: number;
  /** Rows the store refused and that were not stored (logged by the adapter with the server's reason); absent = 0. */
  rejected?: number;
}

/** A curve in columns, the shape charts draw: ts ascending (epoch ms) and one array per value column. */
export interface Series {
  ts: number[];
  values: Record<string, (number | null)[]>;
}

/**
 * The time-series store port. Samples are keyed by (meter, kind, ts): writing the same key twice
 * never makes a second row. Adapters: telemetry.pg.ts (PostgreSQL and PGlite), telemetry.questdb.ts.
 * A write resolves once its samples are stored: the caller may then let its journal forget them.
 */
export interface TelemetryStore {
  /** One batch, any kinds and meters, at most one sample per (kind, meter, ts). */
  write(samples: readonly AnySample[]): Promise<WriteResult>;
  series(meterId: string, kind: Kind, fromMs: number, toMs: number): Promise<Series>;
}
