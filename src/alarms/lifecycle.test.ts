import { describe, expect, it } from 'vitest';
import type { Transition } from '../rules/transition.js';
import { acknowledge, alarmStatus, applyTransition, type AlarmRecord } from './lifecycle.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;

function tr(kind: Transition['kind'], over: Partial<Transition> = {}): Transition {
  return {
    kind, meterId: 'm1', rule: 'V1', phase: 'A', severity: 'MINOR', startTsMs: T0, lastTsMs: T0 + Q, atTsMs: T0 + Q,
    value: 240, peakValue: 241, threshold: 234.75, details: { direction: 'over' }, ...over,
  };
}

const open = applyTransition(undefined, tr('raise'))!.record;

describe('applyTransition', () => {
  it('creates an ACTIVE_UNACK alarm that starts at the first violating sample', () => {
    const r = applyTransition(undefined, tr('raise'));
    expect(r?.change).toBe('created');
    expect(r?.record).toMatchObject({ active: true, acknowledged: false, startTs: new Date(T0).toISOString(), peakValue: 241 });
    expect(alarmStatus(r!.record)).toBe('ACTIVE_UNACK');
  });

  it.each<[string, AlarmRecord | undefined, Transition, string | undefined]>([
    ['clear without an open alarm', undefined, tr('clear'), undefined],
    ['clear', open, tr('clear', { atTsMs: T0 + 3 * Q }), 'cleared'],
    ['escalate', open, tr('escalate', { severity: 'MAJOR' }), 'escalated'],
    ['de-escalate', { ...open, severity: 'CRITICAL' }, tr('deescalate'), 'deescalated'],
    ['update with a later sample', open, tr('update', { lastTsMs: T0 + 2 * Q }), 'updated'],
    ['update with a new peak', open, tr('update', { peakValue: 250 }), 'updated'],
    ['replayed raise', open, tr('raise'), undefined],
    ['older sample', open, tr('update', { lastTsMs: T0 }), undefined],
  ])('%s → %s', (_name, current, t, expected) => {
    expect(applyTransition(current, t)?.change).toBe(expected);
  });

  it('clearing keeps the acknowledgement (CLEARED_ACK) and stamps the clear instant', () => {
    const acked = acknowledge(open, 'op', 'seen', T0 + 2 * Q)!.record;
    const cleared = applyTransition(acked, tr('clear', { atTsMs: T0 + 4 * Q }))!.record;
    expect(alarmStatus(cleared)).toBe('CLEARED_ACK');
    expect(cleared.clearTs).toBe(new Date(T0 + 4 * Q).toISOString());
  });
});

describe('acknowledge', () => {
  it('records who, when and why, once', () => {
    const r = acknowledge(open, 'dispatcher-7', 'crew sent', T0 + 5 * Q);
    expect(r).toMatchObject({ change: 'acknowledged', record: { acknowledged: true, ackBy: 'dispatcher-7', ackComment: 'crew sent' } });
    expect(alarmStatus(r!.record)).toBe('ACTIVE_ACK');
    expect(acknowledge(r!.record, 'other', '', T0 + 6 * Q)).toBeUndefined();
  });
});
