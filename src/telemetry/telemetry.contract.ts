import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import type { TelemetryStore, WriteResult } from './store.js';

export interface ContractOptions {
  /**
   * false for a store that cannot tell new rows from replaced or identical ones (QuestDB's DEDUP
   * UPSERT): every stored row must then be counted as unclassified, none guessed. Default true.
   */
  classifiesWrites?: boolean;
}

/**
 * The behaviour every TelemetryStore adapter must have. Each adapter's test calls this with a
 * factory for a fresh, empty store (PGlite, PostgreSQL server, QuestDB when QDB_CLIENT_CONF is set).
 */
export function telemetryStoreContract(name: string, open: () => Promise<{ store: TelemetryStore; close(): Promise<void> }>, options: ContractOptions = {}): void {
  const classifies = options.classifiesWrites ?? true;
  /** What a write must answer: the exact split, or for a non-classifying store all of it as unclassified. */
  const counted = (r: Pick<WriteResult, 'inserted' | 'overwritten' | 'duplicates'>): WriteResult =>
    classifies ? r : { inserted: 0, overwritten: 0, duplicates: 0, unclassified: r.inserted + r.overwritten + r.duplicates, rejected: 0 };
  const T0 = Date.parse('2026-11-24T16:00:00Z'); // 00:00 in Asia/Shanghai
  const Q = 15 * 60_000;
  const load = (meterId: string, i: number, p: number | null, multiplier = 1): AnySample => ({ kind: 'load', meterId, tsMs: T0 + i * Q, multiplier, values: { p, q: null, pf: null } });
  const voltage = (meterId: string, i: number, a: number | null, b: number | null, c: number | null): AnySample => ({ kind: 'voltage', meterId, tsMs: T0 + i * Q, multiplier: 100, values: { a, b, c } });

  describe(`TelemetryStore contract: ${name}`, () => {
    const withStore = async (fn: (store: TelemetryStore) => Promise<void>) => {
      const { store, close } = await open();
      try {
        await fn(store);
      } finally {
        await close();
      }
    };

    it('stores a batch of several kinds and returns each curve sorted, with nulls kept', () =>
      withStore(async (store) => {
        const result = await store.write([load('M1', 2, 30), load('M1', 0, 10), voltage('M1', 0, 10_100, null, 9_950), load('M1', 1, null), load('M2', 0, 99)]);
        expect(result).toEqual(counted({ inserted: 5, overwritten: 0, duplicates: 0 }));
        const curve = await store.series('M1', 'load', T0, T0 + 96 * Q);
        expect(curve.ts).toEqual([T0, T0 + Q, T0 + 2 * Q]);
        expect(curve.values.p).toEqual([10, null, 30]);
        expect(curve.values.q).toEqual([null, null, null]);
        const v = await store.series('M1', 'voltage', T0, T0 + Q);
        expect(v).toEqual({ ts: [T0], values: { a: [10_100], b: [null], c: [9_950] } });
      }));

    it('never makes a second row for a re-sent sample; a re-send with other values overwrites', () =>
      withStore(async (store) => {
        await store.write([load('M1', 0, 10), load('M1', 1, 11)]);
        expect(await store.write([load('M1', 0, 10), load('M1', 1, 12), load('M1', 2, 13)])).toEqual(counted({ inserted: 1, overwritten: 1, duplicates: 1 }));
        expect(await store.write([load('M1', 0, 10, 80)])).toEqual(counted({ inserted: 0, overwritten: 1, duplicates: 0 }));
        const curve = await store.series('M1', 'load', T0, T0 + 96 * Q);
        expect(curve.values.p).toEqual([10, 12, 13]);
      }));

    it('returns only the asked range: from inclusive, to exclusive', () =>
      withStore(async (store) => {
        await store.write(Array.from({ length: 96 }, (_, i) => load('M1', i, i)));
        const curve = await store.series('M1', 'load', T0 + 4 * Q, T0 + 8 * Q);
        expect(curve.values.p).toEqual([4, 5, 6, 7]);
        expect((await store.series('OTHER', 'load', T0, T0 + 96 * Q)).ts).toEqual([]);
      }));

    it('keeps values and timestamps exact: milliseconds, before 2000 and far ahead, fractions, negatives, six registers', () =>
      withStore(async (store) => {
        const times = [Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 0, 1), T0 + 1, Date.UTC(2099, 5, 30, 12, 0, 0, 250)];
        const reading = (tsMs: number, total: number): AnySample => ({
          kind: 'reading', meterId: 'M.r-1_x', tsMs, multiplier: 0.5,
          values: { total, sharp: -0.125, peak: 1e-9, flat: 123_456_789.987, valley: null, reverse: 0 },
        });
        expect(await store.write(times.map((t, i) => reading(t, i + 0.1)))).toEqual(counted({ inserted: 4, overwritten: 0, duplicates: 0 }));
        const got = await store.series('M.r-1_x', 'reading', times[0], times[3] + 1);
        expect(got.ts.map(Math.round)).toEqual(times);
        expect(got.values).toEqual({
          total: [0.1, 1.1, 2.1, 3.1], sharp: [-0.125, -0.125, -0.125, -0.125], peak: [1e-9, 1e-9, 1e-9, 1e-9],
          flat: Array(4).fill(123_456_789.987), valley: [null, null, null, null], reverse: [0, 0, 0, 0],
        });
      }));

    it('writes a large batch in one call', () =>
      withStore(async (store) => {
        const batch = Array.from({ length: 20_000 }, (_, i) => load(`M${i % 1000}`, Math.floor(i / 1000), i));
        const written = await store.write(batch);
        expect(written.inserted + (written.unclassified ?? 0)).toBe(20_000);
        expect((await store.series('M7', 'load', T0, T0 + 96 * Q)).values.p).toEqual(Array.from({ length: 20 }, (_, k) => k * 1000 + 7));
      }));
  });
}
