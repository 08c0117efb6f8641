import type { MeterContext } from '../domain/archive.js';
import type { ArchiveStore } from './store.js';

/**
 * The archive in memory for the ingest hot path. Lookups are plain Map/Set reads and allocate nothing.
 * refresh() swaps in a whole new snapshot, so a reader sees either the old archive or the new one.
 *
 * Later, with several nodes: the importing node runs NOTIFY archive_changed after commit and every node
 * LISTENs and calls refresh(); refresh() already coalesces bursts of notifications into at most one extra load.
 */
export class ArchiveCache {
  private meters = new Map<string, MeterContext>();
  private concentrators = new Set<string>();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** The store's fingerprint read just before the snapshot in memory was loaded. */
  private loadedFingerprint: string | undefined;

  constructor(private readonly store: Pick<ArchiveStore, 'loadAll'> & Partial<Pick<ArchiveStore, 'fingerprint'>>) {}

  get(meterId: string): MeterContext | undefined {
    return this.meters.get(meterId);
  }

  hasConcentrator(id: string): boolean {
    return this.concentrators.has(id);
  }

  get meterCount(): number {
    return this.meters.size;
  }

  /**
   * Reloads from the store. A call made while a load is running may have been caused by a write that load
   * did not see, so one more load follows; any further calls meanwhile share that one.
   */
  refresh(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.load().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  /**
   * For a timer: reloads only when the store's fingerprint differs from the one the snapshot was loaded
   * with, so checking every few seconds costs one small query instead of the whole archive.
   */
  async refreshIfChanged(): Promise<void> {
    const fingerprint = await this.store.fingerprint?.();
    if (fingerprint !== undefined && fingerprint === this.loadedFingerprint) return;
    await this.refresh();
  }

  private async load(): Promise<void> {
    // Read before the snapshot: a change landing in between makes the next check reload once more.
    const fingerprint = this.store.fingerprint ? await this.store.fingerprint() : undefined;
    const snapshot = await this.store.loadAll();
    this.loadedFingerprint = fingerprint;
    const meters = new Map<string, MeterContext>();
    for (const context of snapshot.meters) {
      // Shared by every reader of the hot path: nobody may change them in place.
      Object.freeze(context.customer);
      Object.freeze(context.customer.classes);
      Object.freeze(context.meter);
      meters.set(context.meter.id, Object.freeze(context));
    }
    this.meters = meters;
    this.concentrators = new Set(snapshot.concentrators);
  }
}
