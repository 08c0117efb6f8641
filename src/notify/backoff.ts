/** When to retry a failed delivery: exponential from firstDelayMs, capped at maxDelayMs, for `attempts` tries in all. */
export interface RetrySchedule {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** Extra random share added to each delay (0.25: up to +25 %), so retries of many deliveries do not arrive together. */
  jitter: number;
}

/**
 * 10 s, 20 s, 40 s ... capped at 1 h: 33 attempts span 24.4 h before any jitter (jitter only adds), so a
 * receiver down for up to a day loses nothing.
 */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { attempts: 33, firstDelayMs: 10_000, maxDelayMs: 3_600_000, jitter: 0.25 };

/** Delay before attempt `failedAttempts + 1`, given a random number in [0, 1). */
export function retryDelayMs(schedule: RetrySchedule, failedAttempts: number, random: number): number {
  const nominal = Math.min(schedule.maxDelayMs, schedule.firstDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(nominal * (1 + schedule.jitter * random));
}

/** The shortest time from the first attempt to the last (every random draw 0). */
export function minimumSpanMs(schedule: RetrySchedule): number {
  let total = 0;
  for (let failed = 1; failed < schedule.attempts; failed++) total += retryDelayMs(schedule, failed, 0);
  return total;
}
