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

  constructor(private readonly store: Pick<ArchiveStore, 'loadAll'>) {}

  get(meterId: string): MeterContext | undefined {
    return this.meters.get(meterId);
  }

  hasConcentrator(id: string): boolean {
    return this.concentrators.has(id);
  }

  /** Whether the archive puts this meter behind this concentrator (a concentrator may only speak for its own meters). */
  isBehind(meterId: string, concentratorId: string): boolean {
    return this.meters.get(meterId)?.meter.concentratorId === concentratorId;
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

  private async load(): Promise<void> {
    const snapshot = await this.store.loadAll();
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
