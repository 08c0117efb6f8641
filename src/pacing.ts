/**
 * When a recurring background write may start again: the rule states' persist (the inline runner's, ingest/
 * downstream.ts) and the BullMQ workers' state writes (rules/queue-worker.bullmq.ts). At most every intervalMs, and
 * with at least SPACING times the last write's duration in between, so that under load the writes take a bounded
 * share of the time (a fifth) however long they grow.
 */
export const STATE_WRITE_INTERVAL_MS = 5_000;
const SPACING = 4;

export class WritePacing {
  private lastEndMs: number;
  private lastTookMs = 0;

  constructor(
    private readonly intervalMs: number,
    nowMs: number,
  ) {
    this.lastEndMs = nowMs;
  }

  due(nowMs: number): boolean {
    return nowMs - this.lastEndMs >= Math.max(this.intervalMs, SPACING * this.lastTookMs);
  }

  /** A write (successful or not) that began at startedMs has ended at endMs. */
  ended(startedMs: number, endMs: number): void {
    this.lastEndMs = endMs;
    this.lastTookMs = endMs - startedMs;
  }
}
