import { describe, expect, it } from 'vitest';
import type { Transition } from '../rules/transition.js';
import { foldKey } from './fold.js';
import type { AlarmRecord } from './lifecycle.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;
const iso = (q: number) => new Date(T0 + q * Q).toISOString();

function tr(kind: Transition['kind'], q: number, over: Partial<Transition> = {}): Transition {
  return {
    kind, meterId: 'm1', rule: 'V1', phase: 'A', severity: 'MINOR', startTsMs: T0, lastTsMs: T0 + q * Q, atTsMs: T0 + q * Q,
    value: 240 + q, peakValue: 240 + q, threshold: 234.75, details: {}, ...over,
  };
}

function stored(over: Partial<AlarmRecord> = {}): AlarmRecord & { id: string } {
  return {
    id: '7', severity: 'MINOR', active: true, acknowledged: false, startTs: iso(0), lastTs: iso(0), clearTs: null, ackTs: null,
    ackBy: null, ackComment: null, peakValue: 240, threshold: 234.75, details: {}, clearedBy: null, clearComment: null, manualClear: false, ...over,
  };
}

/** Per alarm touched: its stored id or 'new@<position of its raise>', then its changes. */
const outline = (fold: ReturnType<typeof foldKey>) => ({
  touched: fold.touched.map((a) => [a.id ?? `new@${a.created?.at}`, ...a.changes.map((c) => c.change)].join(' ')),
  consumed: fold.consumed,
});

describe('foldKey', () => {
  it.each<[string, (AlarmRecord & { id: string }) | undefined, Transition[], string[], number]>([
    ['a raise opens an alarm', undefined, [tr('raise', 0)], ['new@0 created'], 1],
    ['changes to the open alarm, in order', stored(), [tr('update', 1), tr('escalate', 2, { severity: 'MAJOR' })], ['7 updated escalated'], 2],
    ['a clear, then the next occurrence: two alarms', stored(), [tr('clear', 1), tr('raise', 2, { startTsMs: T0 + 2 * Q })], ['7 cleared', 'new@1 created'], 2],
    ['stops before opening a second new alarm', undefined, [tr('raise', 0), tr('clear', 1), tr('raise', 2, { startTsMs: T0 + 2 * Q })], ['new@0 created cleared'], 2],
    ['a replayed raise of the open occurrence changes nothing', stored(), [tr('raise', 0)], [], 1],
    ['a clear with nothing open changes nothing', stored({ active: false, clearTs: iso(1) }), [tr('clear', 2)], [], 1],
    ['a condition cleared by hand stays closed', stored({ active: false, manualClear: true }), [tr('update', 1), tr('escalate', 2, { severity: 'MAJOR' })], [], 2],
    ['after a hand clear, a fresh raise opens', stored({ active: false, manualClear: true }), [tr('clear', 1), tr('raise', 2, { startTsMs: T0 + 2 * Q })], ['new@1 created'], 2],
  ])('%s', (_name, latest, transitions, touched, consumed) => {
    expect(outline(foldKey(latest, transitions))).toEqual({ touched, consumed });
  });

  it('keeps each change with the record it left and the severity before it', () => {
    const fold = foldKey(stored(), [tr('escalate', 1, { severity: 'MAJOR' }), tr('deescalate', 2)]);
    expect(fold.touched[0].changes.map((c) => [c.previousSeverity, c.record.severity, c.record.lastTs])).toEqual([
      ['MINOR', 'MAJOR', iso(1)],
      ['MAJOR', 'MINOR', iso(2)],
    ]);
    expect(fold.touched[0].record.lastTs).toBe(iso(2));
  });
});
