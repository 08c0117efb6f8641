import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { leadingClass, NonFiniteValueError, sampleToRow, type MeterTags } from './ilp-rows.js';

const T0 = Date.parse('2026-11-24T16:00:00Z');
const tags: MeterTags = { customerId: 'C1', customerClass: 'KEY' };

describe('sampleToRow', () => {
  it.each<[string, AnySample, MeterTags | undefined, ReturnType<typeof sampleToRow>]>([
    [
      'load with nulls left out (NULL in QuestDB)',
      { kind: 'load', meterId: 'M1', tsMs: T0, multiplier: 80, values: { p: 12.5, q: null, pf: 0.9 } },
      tags,
      { table: 'telemetry_load', symbols: [['meter_id', 'M1'], ['customer_id', 'C1'], ['class', 'KEY']], fields: [['p', 12.5], ['pf', 0.9], ['multiplier', 80]], tsMs: T0 },
    ],
    [
      'voltage, all phases null: the multiplier still makes a field',
      { kind: 'voltage', meterId: 'M2', tsMs: T0, multiplier: 1, values: { a: null, b: null, c: null } },
      { customerId: 'C2', customerClass: null },
      { table: 'telemetry_voltage', symbols: [['meter_id', 'M2'], ['customer_id', 'C2']], fields: [['multiplier', 1]], tsMs: T0 },
    ],
    [
      'meter not in the archive: meter symbol only',
      { kind: 'reading', meterId: 'M3', tsMs: T0, multiplier: 1, values: { total: 1, sharp: 0, peak: null, flat: null, valley: null, reverse: 0 } },
      undefined,
      { table: 'telemetry_reading', symbols: [['meter_id', 'M3']], fields: [['total', 1], ['sharp', 0], ['reverse', 0], ['multiplier', 1]], tsMs: T0 },
    ],
  ])('%s', (_name, sample, t, row) => {
    expect(sampleToRow(sample, t)).toEqual(row);
  });

  it.each<[string, AnySample]>([
    ['NaN value', { kind: 'load', meterId: 'M1', tsMs: T0, multiplier: 1, values: { p: NaN, q: null, pf: null } }],
    ['Infinity value', { kind: 'current', meterId: 'M1', tsMs: T0, multiplier: 1, values: { a: 1, b: Infinity, c: null } }],
    ['-Infinity multiplier', { kind: 'current', meterId: 'M1', tsMs: T0, multiplier: -Infinity, values: { a: 1, b: 1, c: 1 } }],
    ['NaN timestamp', { kind: 'current', meterId: 'M1', tsMs: NaN, multiplier: 1, values: { a: 1, b: 1, c: 1 } }],
    ['fractional timestamp', { kind: 'current', meterId: 'M1', tsMs: T0 + 0.5, multiplier: 1, values: { a: 1, b: 1, c: 1 } }],
  ])('throws a programming error on %s (validation must have stopped it)', (_name, sample) => {
    expect(() => sampleToRow(sample, tags)).toThrow(NonFiniteValueError);
  });
});

describe('leadingClass', () => {
  it.each([
    [[], null],
    [['RESIDENTIAL'], 'RESIDENTIAL'],
    [['LV_NONRES', 'TOP100', 'DEDICATED'], 'TOP100'],
    [['RESIDENTIAL', 'KEY'], 'KEY'],
  ] as const)('%j -> %s', (classes, expected) => {
    expect(leadingClass(classes)).toBe(expected);
  });
});
