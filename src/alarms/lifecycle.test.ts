import { describe, expect, it } from 'vitest';
import type { Transition } from '../rules/transition.js';
import { acknowledge, alarmStatus, applyTransition, clearManually, type AlarmRecord } from './lifecycle.js';

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
    ['escalate to CRITICAL from MINOR', open, tr('escalate', { severity: 'CRITICAL' }), 'escalated'],
    ['de-escalate MAJOR to WARNING', { ...open, severity: 'MAJOR' }, tr('deescalate', { severity: 'WARNING' }), 'deescalated'],
    ['de-escalate to INDETERMINATE', open, tr('deescalate', { severity: 'INDETERMINATE' }), 'deescalated'],
    ['severity unchanged, nothing new', open, tr('escalate'), undefined],
  ])('%s → %s', (_name, current, t, expected) => {
    expect(applyTransition(current, t)?.change).toBe(expected);
  });

  it.each<[Transition['kind'], string]>([
    ['escalate', 'MAJOR'],
    ['deescalate', 'WARNING'],
  ])('%s to %s keeps the start, moves the severity and the threshold', (kind, severity) => {
    const r = applyTransition(open, tr(kind, { severity: severity as Transition['severity'], threshold: 250, lastTsMs: T0 + 2 * Q }));
    expect(r?.record).toMatchObject({ severity, threshold: 250, startTs: open.startTs, lastTs: new Date(T0 + 2 * Q).toISOString(), active: true });
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

describe('manual clear', () => {
  const cleared = clearManually(open, 'dispatcher-7', 'fuse replaced', T0 + 3 * Q)!.record;

  it('clears an active alarm with who and why, keeping the acknowledgement state', () => {
    expect(cleared).toMatchObject({ active: false, clearTs: new Date(T0 + 3 * Q).toISOString(), clearedBy: 'dispatcher-7', clearComment: 'fuse replaced', manualClear: true, acknowledged: false });
    expect(alarmStatus(cleared)).toBe('CLEARED_UNACK');
    const acked = acknowledge(open, 'op', '', T0)!.record;
    expect(alarmStatus(clearManually(acked, 'op', '', T0 + Q)!.record)).toBe('CLEARED_ACK');
  });

  it('does nothing to an alarm that is already cleared', () => {
    expect(clearManually(cleared, 'other', '', T0 + 4 * Q)).toBeUndefined();
  });

  // domain.md 6.3: after a manual clear the rule re-raises only after NORMAL was observed again.
  it.each<[string, Transition, string | undefined]>([
    ['the condition goes on (update)', tr('update', { lastTsMs: T0 + 4 * Q }), undefined],
    ['it escalates', tr('escalate', { severity: 'MAJOR', lastTsMs: T0 + 4 * Q }), undefined],
    ['it de-escalates', tr('deescalate', { severity: 'WARNING', lastTsMs: T0 + 4 * Q }), undefined],
    ['the rule clears it (NORMAL observed)', tr('clear', { atTsMs: T0 + 5 * Q }), undefined],
    ['the same occurrence is raised again (replay)', tr('raise'), undefined],
    ['a new occurrence is raised', tr('raise', { startTsMs: T0 + 6 * Q, lastTsMs: T0 + 6 * Q }), 'created'],
  ])('after a manual clear, when %s → %s', (_name, t, expected) => {
    expect(applyTransition(undefined, t, cleared)?.change).toBe(expected);
  });

  it('a rule clear leaves no marker: any later transition opens a new alarm', () => {
    const byRule = applyTransition(open, tr('clear', { atTsMs: T0 + 3 * Q }))!.record;
    expect(byRule).toMatchObject({ manualClear: false, clearedBy: null });
    expect(applyTransition(undefined, tr('update', { startTsMs: T0 + 6 * Q }), byRule)?.change).toBe('created');
  });
});
