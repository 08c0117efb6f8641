/**
 * A token bucket: `ratePerSec` tokens a second, at most `burst` saved up. Times are passed in (epoch ms), so
 * tests drive it with a fake clock.
 */
export class TokenBucket {
  private tokens: number;
  private atMs: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.atMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.atMs) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.atMs) * this.ratePerSec) / 1000);
    this.atMs = Math.max(this.atMs, nowMs);
  }

  /** Takes a token if one is there. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes a token on credit: how many ms the caller must wait before its token is earned (0: now). */
  reserve(nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSec);
  }

  /** Full again: the bucket may be forgotten, a new one would behave the same. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.burst;
  }
}

/** One bucket per key (device id, IP address); full buckets are dropped by prune() so the map stays small. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {}

  private bucket(key: string, nowMs: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(this.ratePerSec, this.burst, nowMs)));
    return b;
  }

  tryTake(key: string, nowMs: number): boolean {
    return this.bucket(key, nowMs).tryTake(nowMs);
  }

  reserve(key: string, nowMs: number): number {
    return this.bucket(key, nowMs).reserve(nowMs);
  }

  prune(nowMs: number): void {
    for (const [key, b] of this.buckets) if (b.isFull(nowMs)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
