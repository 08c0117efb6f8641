/**
 * A simple time-of-use calendar by local hour. Tariff order follows the register convention
 * 1 = sharp (尖), 2 = peak (峰), 3 = flat (平), 4 = valley (谷) (domain.md 1.2); here 0-based.
 */
export const TARIFFS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type Tariff = (typeof TARIFFS)[number];

// [PROP] close to Zhejiang's industrial calendar: valley 22-08, sharp 19-21, peak 08-11 and 13-19, flat otherwise.
const TARIFF_BY_HOUR: readonly number[] = [
  3, 3, 3, 3, 3, 3, 3, 3, // 00-08 valley
  1, 1, 1, // 08-11 peak
  2, 2, // 11-13 flat
  1, 1, 1, 1, 1, 1, // 13-19 peak
  0, 0, // 19-21 sharp
  2, // 21-22 flat
  3, 3, // 22-24 valley
];

/** Index into TARIFFS of the period that contains the given local quarter-hour slot. */
export function tariffIndexOfSlot(slot: number): number {
  return TARIFF_BY_HOUR[Math.floor(slot / 4)];
}
