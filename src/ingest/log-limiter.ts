/**
 * At most one log line per client per window: a misconfigured device sending garbage every
 * second must not flood the log. Every message is still quarantined and counted.
 */
export class ClientLogLimiter {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  /** Whether to log now, and how many lines were held back since the last one logged. */
  check(clientId: string): { log: boolean; suppressed: number } {
    const now = this.clock();
    const entry = this.last.get(clientId);
    if (entry && now - entry.atMs < this.windowMs) {
      entry.suppressed++;
      return { log: false, suppressed: entry.suppressed };
    }
    if (this.last.size > 10_000) this.prune(now);
    this.last.set(clientId, { atMs: now, suppressed: 0 });
    return { log: true, suppressed: entry?.suppressed ?? 0 };
  }

  private prune(now: number): void {
    for (const [id, e] of this.last) if (now - e.atMs >= this.windowMs) this.last.delete(id);
  }
}
