import type { MeterRuleState } from './evaluate.js';

/** A meter's rule state as this process last read or wrote it; dirty = evaluated since, not yet written. */
export interface CachedState {
  state: MeterRuleState;
  /** rule_state.version the state was read with, or written as (0: no row). */
  version: number;
  dirty: boolean;
}

/**
 * Rule state of the meters this process evaluates, in recency order. Only a cache: every entry is checked
 * against the stored version before use, and clean entries are dropped beyond maxMeters (dirty ones wait for
 * their snapshot).
 */
export class StateCache {
  private readonly entries = new Map<string, CachedState>();

  constructor(private readonly maxMeters: number) {}

  get(meterId: string): CachedState | undefined {
    return this.entries.get(meterId);
  }

  /** Sets and marks as most recently used. */
  set(meterId: string, entry: CachedState): void {
    this.entries.delete(meterId);
    this.entries.set(meterId, entry);
  }

  delete(meterId: string): void {
    this.entries.delete(meterId);
  }

  dirty(): string[] {
    const out: string[] = [];
    for (const [id, e] of this.entries) if (e.dirty) out.push(id);
    return out;
  }

  /** Drops the least recently used clean entries while over the limit. */
  trim(): void {
    let over = this.entries.size - this.maxMeters;
    if (over <= 0) return;
    for (const [id, e] of this.entries) {
      if (over <= 0) break;
      if (e.dirty) continue;
      this.entries.delete(id);
      over--;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
