import { describe, expect, it } from 'vitest';
import { applyAlarmChange, compareAlarms } from './alarm-order.js';

const alarm = (id: string, severity: string, startTs: string, active = true) => ({ id, severity, startTs, active });

describe('open alarm list order', () => {
  it('puts the most severe first, then the newest', () => {
    const list = [
      alarm('w', 'WARNING', '2026-11-25T10:00:00+08:00'),
      alarm('m-old', 'MAJOR', '2026-11-25T08:00:00+08:00'),
      alarm('c', 'CRITICAL', '2026-11-25T07:00:00+08:00'),
      alarm('m-new', 'MAJOR', '2026-11-25T09:00:00+08:00'),
      alarm('i', 'INDETERMINATE', '2026-11-25T11:00:00+08:00'),
      alarm('n', 'MINOR', '2026-11-25T06:00:00+08:00'),
    ];
    expect(list.sort(compareAlarms).map((a) => a.id)).toEqual(['c', 'm-new', 'm-old', 'n', 'w', 'i']);
  });

  const open = [alarm('a', 'MAJOR', '2026-11-25T08:00:00Z'), alarm('b', 'MINOR', '2026-11-25T09:00:00Z')];
  it.each([
    ['created adds', 'created', alarm('c', 'CRITICAL', '2026-11-25T07:00:00Z'), ['c', 'a', 'b']],
    ['escalated re-sorts', 'escalated', alarm('b', 'CRITICAL', '2026-11-25T09:00:00Z'), ['b', 'a']],
    ['deescalated re-sorts', 'deescalated', alarm('a', 'WARNING', '2026-11-25T08:00:00Z'), ['b', 'a']],
    ['acknowledged stays', 'acknowledged', alarm('a', 'MAJOR', '2026-11-25T08:00:00Z'), ['a', 'b']],
    ['cleared leaves', 'cleared', alarm('a', 'MAJOR', '2026-11-25T08:00:00Z', false), ['b']],
    ['an inactive alarm in any change leaves', 'updated', alarm('b', 'MINOR', '2026-11-25T09:00:00Z', false), ['a']],
    ['clearing an unknown alarm changes nothing', 'cleared', alarm('z', 'MINOR', '2026-11-25T09:00:00Z', false), ['a', 'b']],
  ])('%s', (_name, change, changed, ids) => {
    expect(applyAlarmChange(open, change, changed).map((a) => a.id)).toEqual(ids);
  });
});
