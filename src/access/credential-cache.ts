import type { DevicePrincipal } from './device.js';
import type { DeviceCredential } from './devices.js';

/**
 * The credential cache's rules, apart from the clock and the database: which row wins, which session is
 * still current, and from where the next refresh reads.
 */
export type Cached = Pick<DeviceCredential, 'deviceId' | 'kind' | 'secretHash' | 'filters' | 'version' | 'revokedAt' | 'updatedAt'>;

/** A row replaces the cached one only when it is newer: a higher version, or the same version changed later (a revocation). */
export function isNewer(row: Cached, cached: Cached | undefined): boolean {
  if (!cached) return true;
  if (row.version !== cached.version) return row.version > cached.version;
  return row.updatedAt.getTime() > cached.updatedAt.getTime();
}

/** Applies changed rows; returns the ids whose credential changed. Re-read rows that are not newer change nothing. */
export function applyChanges(cache: Map<string, Cached>, rows: readonly Cached[]): string[] {
  const changed: string[] = [];
  for (const row of rows) {
    if (!isNewer(row, cache.get(row.deviceId))) continue;
    cache.set(row.deviceId, row);
    changed.push(row.deviceId);
  }
  return changed;
}

export const isLive = (c: Cached | undefined): c is Cached => c !== undefined && c.revokedAt === null;

export function principalOf(c: Cached): DevicePrincipal {
  return { deviceId: c.deviceId, kind: c.kind, filters: c.filters, version: String(c.version) };
}

/** A session stays current while its credential is neither revoked nor rotated (nor re-issued as another kind). */
export function isCurrentIn(cache: ReadonlyMap<string, Cached>, p: DevicePrincipal): boolean {
  const c = cache.get(p.deviceId);
  return isLive(c) && String(c.version) === p.version && c.kind === p.kind;
}

/**
 * Where the next refresh starts reading. updated_at is the writing transaction's start, so a slow transaction
 * can commit a row older than one already seen: every refresh re-reads an overlap window before the newest row.
 */
export function nextSince(previous: Date | undefined, newestAt: Date | undefined, overlapMs: number): Date | undefined {
  if (!newestAt) return previous;
  const candidate = new Date(newestAt.getTime() - overlapMs);
  return previous && previous > candidate ? previous : candidate;
}
