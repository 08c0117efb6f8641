import type { ArchiveCache } from '../archive/cache.js';
import type { MeterContext } from '../domain/archive.js';

// A meter the archive really lacks would otherwise reload the whole archive for every job naming it.
const MISS_RELOAD_MIN_MS = 1_000;

/**
 * Meter contexts for a worker process, which sees no archive imports: the cache is reloaded when it is older
 * than maxAgeMs (contract capacity or class edits) and when a job names a meter it does not know (a new import).
 */
export function contextsFromArchive(cache: ArchiveCache, maxAgeMs: number, clock: () => number = Date.now) {
  let loadedAtMs = -Infinity;
  async function reload(): Promise<void> {
    await cache.refresh();
    loadedAtMs = clock();
  }
  const lookup = contextsFromArchiveLookup((id) => cache.get(id));
  return async function contextsOf(meterIds: readonly string[]): Promise<Map<string, MeterContext>> {
    const ageMs = clock() - loadedAtMs;
    if (ageMs > maxAgeMs || (ageMs > MISS_RELOAD_MIN_MS && meterIds.some((id) => !cache.get(id)))) await reload();
    return lookup(meterIds);
  };
}

/** Meter contexts from a cache another part of this process keeps current (the service's archive cache). */
export function contextsFromArchiveLookup(contextOf: (meterId: string) => MeterContext | undefined) {
  return async function contextsOf(meterIds: readonly string[]): Promise<Map<string, MeterContext>> {
    const out = new Map<string, MeterContext>();
    for (const id of meterIds) {
      const ctx = contextOf(id);
      if (ctx) out.set(id, ctx);
    }
    return out;
  };
}
