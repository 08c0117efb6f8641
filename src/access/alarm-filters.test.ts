import { describe, expect, it } from 'vitest';
import { checkAlarmFilter, checkAlarmFilters, MAX_FILTERS } from './alarm-filters.js';

describe('alarm topic filters', () => {
  it.each([
    'alarms/#',
    'alarms/KEY/#',
    'alarms/KEY/C001/#',
    'alarms/KEY/C001/M001',
    'alarms/+/C001/+',
    'alarms/+/+/+',
    'alarms/UNCLASSIFIED/c1/m1',
    'alarms/RESIDENTIAL/+/#',
  ])('accepts %s', (filter) => {
    expect(checkAlarmFilter(filter)).toEqual({ ok: true });
  });

  it.each([
    ['', 'characters'],
    ['#', 'must start with alarms/'],
    ['+/KEY/c/m', 'must start with alarms/'],
    ['meters/#', 'must start with alarms/'],
    ['$SYS/#', 'must start with alarms/'],
    ['alarms', 'alarms/{class}'],
    ['alarms/KEY', 'alarms/{class}'],
    ['alarms/KEY/C001', 'alarms/{class}'],
    ['alarms/KEY/C001/M001/x', 'alarms/{class}'],
    ['alarms/KEY/C001/M001/#', 'more than 4 levels'],
    ['alarms/#/C001/M001', '# must be the last level'],
    ['alarms/KEY/C#/#', 'mixes a wildcard'],
    ['alarms/KEY/C+/M1', 'mixes a wildcard'],
    ['alarms/KEY//M1', 'customer level is empty'],
    ['alarms/NOPE/c/m', 'not a customer class'],
    ['alarms/key/c/m', 'not a customer class'],
    ['alarms/KEY/c\u0000/m', 'control characters'],
    [`alarms/KEY/${'c'.repeat(300)}/#`, 'characters'],
  ])('refuses %j (%s)', (filter, reason) => {
    const check = checkAlarmFilter(filter);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(reason);
  });

  it('lists every bad filter of a list, and needs at least one and at most MAX_FILTERS', () => {
    expect(checkAlarmFilters(['alarms/#', 'x/#', 'alarms/KEY'])).toEqual([expect.stringMatching(/^"x\/#": /), expect.stringMatching(/^"alarms\/KEY": /)]);
    expect(checkAlarmFilters([])).toEqual(['at least one filter is needed']);
    expect(checkAlarmFilters(Array.from({ length: MAX_FILTERS + 1 }, () => 'alarms/#'))).toHaveLength(1);
    expect(checkAlarmFilters(['alarms/KEY/#', 'alarms/+/+/m1'])).toEqual([]);
  });
});
