import { describe, expect, it, vi } from 'vitest';
import { sampleArchive } from './archive.fixture.js';
import { ArchiveCache } from './cache.js';
import type { ArchiveSnapshot } from './store.js';

function snapshotOf(csv?: string): ArchiveSnapshot {
  const archive = sampleArchive(csv);
  const customers = new Map(archive.customers.map((c) => [c.id, c]));
  return { meters: archive.meters.map((meter) => ({ meter, customer: customers.get(meter.customerId)! })), concentrators: archive.concentrators };
}

/** A store whose loads finish when the test says so, to observe overlapping refreshes. */
function gatedStore(snapshot: ArchiveSnapshot) {
  const gates: (() => void)[] = [];
  return {
    loads: () => gates.length,
    release: () => gates.forEach((open) => open()),
    loadAll: () => new Promise<ArchiveSnapshot>((resolve) => gates.push(() => resolve(snapshot))),
  };
}

describe('ArchiveCache', () => {
  it('is empty until refreshed, then answers from the snapshot', async () => {
    const cache = new ArchiveCache({ loadAll: async () => snapshotOf() });
    expect(cache.get('M001')).toBeUndefined();
    await cache.refresh();
    expect(cache.get('M001')?.customer.name).toBe('上海华东电机有限公司, 二厂');
    expect(cache.get('M999')).toBeUndefined();
    expect(cache.meterCount).toBe(4);
  });

  it.each([
    ['M001', 'T01'],
    ['M003', 'T02'],
    ['M004', null],
    ['M999', undefined],
  ])('puts meter %s behind concentrator %s', async (meterId, concentratorId) => {
    const cache = new ArchiveCache({ loadAll: async () => snapshotOf() });
    await cache.refresh();
    expect(cache.get(meterId)?.meter.concentratorId).toBe(concentratorId);
  });

  it('knows the concentrators', async () => {
    const cache = new ArchiveCache({ loadAll: async () => snapshotOf() });
    await cache.refresh();
    expect([cache.hasConcentrator('T01'), cache.hasConcentrator('T02'), cache.hasConcentrator('T99')]).toEqual([true, true, false]);
  });

  it('hands out frozen contexts', async () => {
    const cache = new ArchiveCache({ loadAll: async () => snapshotOf() });
    await cache.refresh();
    expect(() => ((cache.get('M001')!.meter as { ctRatio: number }).ctRatio = 1)).toThrow(TypeError);
  });

  it('replaces the whole snapshot: meters gone from the store are gone from the cache', async () => {
    let snapshot = snapshotOf();
    const cache = new ArchiveCache({ loadAll: async () => snapshot });
    await cache.refresh();
    snapshot = { meters: snapshot.meters.slice(0, 1), concentrators: [] };
    await cache.refresh();
    expect([cache.get('M001')?.meter.id, cache.get('M002'), cache.hasConcentrator('T01')]).toEqual(['M001', undefined, false]);
  });

  it('coalesces refreshes made during a load into one more load', async () => {
    const store = gatedStore(snapshotOf());
    const cache = new ArchiveCache(store);
    const first = cache.refresh();
    const followers = [cache.refresh(), cache.refresh(), cache.refresh()];
    expect(store.loads()).toBe(1);
    store.release();
    await first;
    await vi.waitFor(() => expect(store.loads()).toBe(2));
    store.release();
    await Promise.all(followers);
    expect(store.loads()).toBe(2);
    expect(cache.meterCount).toBe(4);
  });

  it('keeps the previous snapshot when a load fails, and the next refresh retries', async () => {
    let fail = false;
    const cache = new ArchiveCache({ loadAll: async () => (fail ? Promise.reject(new Error('db down')) : snapshotOf()) });
    await cache.refresh();
    fail = true;
    await expect(cache.refresh()).rejects.toThrow('db down');
    expect(cache.get('M001')).toBeDefined();
    fail = false;
    await expect(cache.refresh()).resolves.toBeUndefined();
  });

  it.each([
    // fingerprints the store answers on each check (after the first load), loads expected after the checks
    [['a', 'a', 'a'], 1],
    [['a', 'b', 'b'], 2],
    [['a', 'b', 'c'], 3],
  ])('reloads on a timer only when the fingerprint changes: %j -> %i loads', async (fingerprints, loads) => {
    let loaded = 0;
    let current = fingerprints[0]!;
    const cache = new ArchiveCache({ loadAll: async () => (loaded++, snapshotOf()), fingerprint: async () => current });
    await cache.refresh();
    for (const fp of fingerprints) {
      current = fp;
      await cache.refreshIfChanged();
    }
    expect(loaded).toBe(loads);
  });

  it('reloads on every check when the store has no fingerprint', async () => {
    let loaded = 0;
    const cache = new ArchiveCache({ loadAll: async () => (loaded++, snapshotOf()) });
    await cache.refreshIfChanged();
    await cache.refreshIfChanged();
    expect(loaded).toBe(2);
  });
});
