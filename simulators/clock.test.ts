import { describe, expect, it } from 'vitest';
import { ceilToStepMs, defaultStartMs, simulatedNowMs, stepDueAtMs } from './clock.js';
import { STEP_MS } from './local-time.js';

const REAL_START = Date.parse('2026-11-25T13:00:00Z');
const YESTERDAY = Date.parse('2026-11-24T00:00:00+08:00');

describe('accelerated clock', () => {
  it.each([
    ['at the start', 0, YESTERDAY],
    ['after 10 s at 900x', 10_000, YESTERDAY + 9_000_000],
    ['long after catching up: real time', 3_600_000, REAL_START + 3_600_000],
  ])('%s', (_name, elapsedMs, expected) => {
    expect(simulatedNowMs(YESTERDAY, REAL_START, REAL_START + elapsedMs, 900)).toBe(expected);
  });

  it.each([1, 60, 900, 1e6])('never runs ahead of the real clock at speed %s', (speed) => {
    for (let elapsed = 0; elapsed < 7_200_000; elapsed += 997) {
      expect(simulatedNowMs(YESTERDAY, REAL_START, REAL_START + elapsed, speed)).toBeLessThanOrEqual(REAL_START + elapsed);
    }
  });

  it.each([1, 900, 1e6])('makes each step due no earlier than both its accelerated and its real instant (speed %s)', (speed) => {
    for (let step = YESTERDAY; step < REAL_START + 4 * STEP_MS; step += STEP_MS) {
      const due = stepDueAtMs(step, YESTERDAY, REAL_START, speed);
      expect(due).toBeGreaterThanOrEqual(step);
      expect(simulatedNowMs(YESTERDAY, REAL_START, due, speed)).toBeGreaterThanOrEqual(step);
    }
  });

  it('starts by default at local midnight of yesterday (UTC+8)', () => {
    expect(new Date(defaultStartMs(Date.parse('2026-11-25T13:00:00Z'))).toISOString()).toBe('2026-11-23T16:00:00.000Z');
    // 23:30 UTC is already the 26th in Shanghai.
    expect(new Date(defaultStartMs(Date.parse('2026-11-25T23:30:00Z'))).toISOString()).toBe('2026-11-24T16:00:00.000Z');
  });

  it('rounds a start up to a 15-minute boundary', () => {
    expect(ceilToStepMs(YESTERDAY + 1)).toBe(YESTERDAY + STEP_MS);
    expect(ceilToStepMs(YESTERDAY)).toBe(YESTERDAY);
  });
});
