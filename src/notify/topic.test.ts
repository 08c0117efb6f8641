import { describe, expect, it } from 'vitest';
import { alarmChange } from './change.fixture.js';
import { alarmTopic } from './topic.js';

describe('alarmTopic', () => {
  it.each([
    [['DEDICATED', 'KEY'], 'C001', '3101', 'alarms/KEY/C001/3101'],
    [['RESIDENTIAL', 'LV_NONRES'], 'C001', '3101', 'alarms/LV_NONRES/C001/3101'],
    [['TOP100', 'DH_KEY'], 'C001', '3101', 'alarms/TOP100/C001/3101'],
    [[], 'C001', '3101', 'alarms/UNCLASSIFIED/C001/3101'],
    [['KEY'], 'a/b', 'm+#', 'alarms/KEY/a_b/m__'],
    [['KEY'], 'C001', '', 'alarms/KEY/C001/_'],
  ] as const)('classes %j, customer %s, meter %s -> %s', (classes, customerId, meterId, expected) => {
    expect(alarmTopic(alarmChange('created', { classes: [...classes], customerId, meterId }))).toBe(expected);
  });
});
