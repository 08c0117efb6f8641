import { describe, expect, it } from 'vitest';
import { parseTopic } from './topic.js';

describe('parseTopic', () => {
  it.each([
    ['meters/3101000123/voltage', { type: 'meter', meterId: '3101000123', kind: 'voltage' }],
    ['meters/M-1.a_b/reading', { type: 'meter', meterId: 'M-1.a_b', kind: 'reading' }],
    ['concentrators/C0001/load', { type: 'concentrator', concentratorId: 'C0001', kind: 'load' }],
    ['concentrators/C0001/status', { type: 'status', concentratorId: 'C0001' }],
  ])('%s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it.each([
    'meters/3101000123',
    'meters/3101000123/power',
    'meters/3101000123/voltage/extra',
    'meters//voltage',
    'meters/has space/voltage',
    `meters/${'x'.repeat(65)}/voltage`,
    'alarms/KEY/C1/M1',
    'meters/M1/status',
    '',
  ])('rejects %j', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });
});
