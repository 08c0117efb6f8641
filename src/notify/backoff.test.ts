import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, minimumSpanMs, retryDelayMs } from './backoff.js';

const s = { attempts: 5, firstDelayMs: 1_000, maxDelayMs: 5_000, jitter: 0.5 };

describe('retryDelayMs', () => {
  it.each([
    [1, 0, 1_000],
    [2, 0, 2_000],
    [3, 0, 4_000],
    [4, 0, 5_000],
    [10, 0, 5_000],
    [1, 0.999, 1_500],
    [4, 0.5, 6_250],
  ])('after %i failures, random %f -> %i ms', (failed, random, expected) => {
    expect(retryDelayMs(s, failed, random)).toBe(expected);
  });
});

describe('default schedule', () => {
  it('keeps retrying for at least 24 hours even with no jitter', () => {
    expect(minimumSpanMs(DEFAULT_RETRY_SCHEDULE)).toBeGreaterThanOrEqual(24 * 3_600_000);
  });
  it('does not stretch far past a day', () => {
    expect(minimumSpanMs(DEFAULT_RETRY_SCHEDULE)).toBeLessThan(26 * 3_600_000);
  });
  it('retries a receiver that was down 10 minutes within 25 minutes', () => {
    let elapsed = 0;
    let failed = 1;
    while (elapsed < 600_000) elapsed += retryDelayMs(DEFAULT_RETRY_SCHEDULE, failed++, 1);
    expect(elapsed).toBeLessThan(25 * 60_000);
  });
});
