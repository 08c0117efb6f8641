import { dailyEnergyKwh, type Reading } from '../registers/delta.js';

const DAY_MS = 24 * 3_600_000;

function readingAt(readings: readonly Reading[], tsMs: number): Reading | undefined {
  return readings.find((r) => r.tsMs === tsMs);
}

/** Energy of the day starting at dayStartMs (primary kWh), from the freezes at both ends; null when one is missing. */
export function energyOfDayKwh(readings: readonly Reading[], dayStartMs: number): number | null {
  const end = readingAt(readings, dayStartMs + DAY_MS);
  return end ? dailyEnergyKwh(readingAt(readings, dayStartMs), end) : null;
}

/**
 * D1/D2 baseline (domain.md 3.2): mean daily energy of the same weekday over the last 4 weeks. Days that cannot
 * be computed are left out; fewer than 2 usable weeks is no baseline. (Holidays and alarm days are not excluded:
 * there is no holiday calendar yet.)
 */
export function sameWeekdayBaselineKwh(readings: readonly Reading[], dayStartMs: number): number | null {
  const days = [1, 2, 3, 4].map((w) => energyOfDayKwh(readings, dayStartMs - w * 7 * DAY_MS)).filter((e): e is number => e !== null);
  return days.length < 2 ? null : days.reduce((a, b) => a + b, 0) / days.length;
}

/** Residential D2 baseline: mean daily energy over the 30 days before D (one register difference). */
export function mean30Kwh(readings: readonly Reading[], dayStartMs: number): number | null {
  const end = readingAt(readings, dayStartMs);
  const start = readingAt(readings, dayStartMs - 30 * DAY_MS);
  if (!end) return null;
  const e = dailyEnergyKwh(start, end);
  return e === null ? null : e / 30;
}

/** Energy in % of a baseline; null without a positive baseline (domain.md 4.3: never ∞). */
export function pctOfBaseline(energyKwh: number | null, baselineKwh: number | null): number | null {
  if (energyKwh === null || baselineKwh === null || !(baselineKwh > 0)) return null;
  return (energyKwh / baselineKwh) * 100;
}

/**
 * P1 (domain.md 2.3): PF = P / sqrt(P² + Q²) from energy-like sums of P and |Q|, and the deficit below the
 * customer's standard in whole hundredths (std 0.90, PF 0.84 → 6). Null without load or without a standard.
 */
export function pfDeficit(sumPkw: number | null, sumQkvar: number | null, pfStandard: number | null): number | null {
  if (sumPkw === null || sumQkvar === null || pfStandard === null || !(Math.abs(sumPkw) > 0)) return null;
  const pf = Math.abs(sumPkw) / Math.hypot(sumPkw, sumQkvar);
  // The tariff reads PF to 2 decimals (domain.md 2.3); in whole hundredths a PF exactly at a limit stays at it
  // (0.90 − 0.85 in floating point is 0.050000000000000044, which read as just over).
  return Math.round(pfStandard * 100) - Math.round(pf * 100);
}

/** Z1: 1 when the day's energy is zero while the meter is online (it sent the freeze) and voltage is present. */
export function zeroConsumption(energyKwh: number | null, voltagePresent: boolean | null): number | null {
  if (energyKwh === null) return null;
  // No voltage curve (most residential meters): a meter that sends its freeze is powered, so count the day.
  if (voltagePresent === false) return 0;
  return Math.abs(energyKwh) < 1e-6 ? 1 : 0;
}
