import type { Sql } from '../db/sql.js';
import type { RuleOverrides } from './settings.js';

/** Per-customer overrides of these customers; customers without any are absent (overrides.pg.ts). */
export type OverridesLoader = (sql: Sql, customerIds: readonly string[]) => Promise<Map<string, RuleOverrides>>;

/**
 * Customer overrides as the engine reads them for every evaluation: kept per customer for at most maxAgeMs, so
 * a steady flow costs no query per batch. Like the class settings, an edit made through this process applies at
 * its next evaluation (invalidate) and one made elsewhere within maxAgeMs.
 */
export class OverridesCache {
  private readonly entries = new Map<string, { overrides: RuleOverrides | undefined; atMs: number }>();

  constructor(
    private readonly load: OverridesLoader,
    private readonly maxAgeMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(sql: Sql, customerIds: readonly string[]): Promise<Map<string, RuleOverrides>> {
    const nowMs = this.clock();
    const stale = customerIds.filter((id) => {
      const e = this.entries.get(id);
      return !e || nowMs - e.atMs > this.maxAgeMs;
    });
    if (stale.length > 0) {
      const loaded = await this.load(sql, stale);
      for (const id of stale) this.entries.set(id, { overrides: loaded.get(id), atMs: nowMs });
    }
    const out = new Map<string, RuleOverrides>();
    for (const id of customerIds) {
      const overrides = this.entries.get(id)?.overrides;
      if (overrides) out.set(id, overrides);
    }
    return out;
  }

  invalidate(): void {
    this.entries.clear();
  }
}
