import type { Sql } from '../db/sql.js';
import type { AnySample, Kind } from '../domain/sample.js';

const DAY_MS = 86_400_000;
const NO_PARTITION = '23514';

/**
 * The UTC-day partitions of the telemetry tables (migration 023) a batch needs, made before it is written. Days seen
 * once are remembered, so a batch costs one division per sample and, once a day, one call. Several nodes may
 * make the same day at once: the SQL function tolerates that.
 */
export class DayPartitions {
  private readonly known = new Map<Kind, Set<number>>();

  constructor(private readonly sql: Sql) {}

  /**
   * Runs write once the partitions of its samples' days exist, and once more if a partition it counted on was
   * dropped meanwhile (an operator's retention): a batch then fails only if its day cannot be made.
   */
  async around<T>(kind: Kind, samples: readonly AnySample[], write: () => Promise<T>): Promise<T> {
    await this.ensure(kind, samples);
    try {
      return await write();
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      this.known.delete(kind);
      await this.ensure(kind, samples);
      return write();
    }
  }

  private async ensure(kind: Kind, samples: readonly AnySample[]): Promise<void> {
    let known = this.known.get(kind);
    if (!known) this.known.set(kind, (known = new Set()));
    let missing: Set<number> | undefined;
    let last = NaN;
    for (let i = 0; i < samples.length; i++) {
      const day = Math.floor(samples[i].tsMs / DAY_MS);
      if (day === last) continue;
      last = day;
      if (!known.has(day)) (missing ??= new Set()).add(day);
    }
    if (!missing) return;
    const days = [...missing].map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10));
    await this.sql.query('SELECT telemetry_ensure_days($1, $2::date[])', [kind, days]);
    for (const d of missing) known.add(d);
  }
}
