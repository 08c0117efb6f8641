/** The accelerated simulation clock: fast-forwards from the start, but never past the real clock. */
import { DAY_MS, STEP_MS, localMidnightMs } from './local-time.js';

/**
 * Simulated time = start + elapsed real time x speed, capped at the real now: the service quarantines
 * samples more than 5 minutes ahead of its clock (docs/protocol.md, ts_in_future), so once the run has
 * caught up it goes on in real time.
 */
export function simulatedNowMs(startMs: number, realStartMs: number, realNowMs: number, speed: number): number {
  return Math.min(startMs + (realNowMs - realStartMs) * speed, realNowMs);
}

/** The real instant at which a step becomes due: when the accelerated clock reaches it, and not before it happens. */
export function stepDueAtMs(stepMs: number, startMs: number, realStartMs: number, speed: number): number {
  return Math.max(Math.ceil(realStartMs + (stepMs - startMs) / speed), stepMs);
}

/** Local midnight of yesterday: a demo at speed 900 fills yesterday and today within a couple of minutes. */
export function defaultStartMs(nowMs: number): number {
  return localMidnightMs(nowMs) - DAY_MS;
}

/** The first 15-minute boundary at or after t. */
export function ceilToStepMs(tMs: number): number {
  return Math.ceil(tMs / STEP_MS) * STEP_MS;
}
