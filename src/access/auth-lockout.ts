/**
 * Repeated failed logins from one IP address: after `maxFailures` within `lockoutMs` the address is refused
 * for `lockoutMs`, so a guesser gets a handful of tries per window instead of one per scrypt hash. One class
 * for both doors: MQTT CONNECT (src/broker) and HTTP sign-in and Bearer tokens (src/api/auth.ts), each with
 * its own instance and settings.
 */
export class AuthLockout {
  private readonly byIp = new Map<string, { failures: number; firstMs: number; lockedUntilMs: number }>();

  constructor(private readonly limits: { maxFailures: number; lockoutMs: number }) {}

  isLocked(ip: string, nowMs: number): boolean {
    return this.lockedForMs(ip, nowMs) > 0;
  }

  /** How much longer the address stays locked (0 when it is not): an HTTP refusal's Retry-After. */
  lockedForMs(ip: string, nowMs: number): number {
    return Math.max(0, (this.byIp.get(ip)?.lockedUntilMs ?? 0) - nowMs);
  }

  /** Counts a failure; true when this one locked the address (report it once, not on every refusal). */
  failed(ip: string, nowMs: number): boolean {
    const { maxFailures, lockoutMs } = this.limits;
    let entry = this.byIp.get(ip);
    if (!entry || nowMs - entry.firstMs >= lockoutMs) this.byIp.set(ip, (entry = { failures: 0, firstMs: nowMs, lockedUntilMs: 0 }));
    entry.failures++;
    if (entry.failures < maxFailures || entry.lockedUntilMs > nowMs) return false;
    entry.lockedUntilMs = nowMs + lockoutMs;
    return true;
  }

  /** Forgets addresses neither locked nor inside a counting window. */
  prune(nowMs: number): void {
    for (const [ip, e] of this.byIp) if (e.lockedUntilMs <= nowMs && nowMs - e.firstMs >= this.limits.lockoutMs) this.byIp.delete(ip);
  }

  get size(): number {
    return this.byIp.size;
  }
}
