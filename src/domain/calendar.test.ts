import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isLocalDay, localDayOf, localMonthStartMs, localTimeMs } from './calendar.js';

describe('local days', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-03-01', -1, '2025-02-28'],
    ['2025-12-31', 2, '2026-01-02'],
  ])('%s + %i = %s', (day, n, expected) => {
    expect(addDays(day, n)).toBe(expected);
    expect(daysBetween(day, expected)).toBe(n);
  });

  it.each([
    ['2025-01-06', 0, 'Asia/Shanghai', '2025-01-05T16:00:00.000Z'],
    ['2025-01-06', 9, 'Asia/Shanghai', '2025-01-06T01:00:00.000Z'],
    ['2025-01-06', 0, 'UTC', '2025-01-06T00:00:00.000Z'],
    // Europe/Berlin switches to summer time at 02:00 on 2025-03-30: midnight is still +01:00, 09:00 is +02:00.
    ['2025-03-30', 0, 'Europe/Berlin', '2025-03-29T23:00:00.000Z'],
    ['2025-03-30', 9, 'Europe/Berlin', '2025-03-30T07:00:00.000Z'],
  ])('%s %i:00 in %s is %s', (day, hour, tz, iso) => {
    expect(new Date(localTimeMs(day, hour, tz)).toISOString()).toBe(iso);
    expect(localDayOf(Date.parse(iso), tz)).toBe(day);
  });

  it.each([['2025-01-06', true], ['2025-02-30', false], ['2025-1-6', false], ['yesterday', false]])('%s is a day: %s', (day, ok) => {
    expect(isLocalDay(day)).toBe(ok);
  });
});

describe('localMonthStartMs', () => {
  it.each([
    ['mid-month in Shanghai', Date.parse('2026-11-25T10:00:00+08:00'), 'Asia/Shanghai', '2026-11-01T00:00:00+08:00'],
    ['the first minutes of a month in Shanghai (still October in UTC)', Date.parse('2026-11-01T00:30:00+08:00'), 'Asia/Shanghai', '2026-11-01T00:00:00+08:00'],
    ['the last second of a month', Date.parse('2026-10-31T23:59:59+08:00'), 'Asia/Shanghai', '2026-10-01T00:00:00+08:00'],
    ['across a DST change in Berlin', Date.parse('2026-03-30T12:00:00+02:00'), 'Europe/Berlin', '2026-03-01T00:00:00+01:00'],
  ])('%s', (_name, tsMs, tz, expected) => {
    expect(localMonthStartMs(tsMs, tz)).toBe(Date.parse(expected));
  });
});
