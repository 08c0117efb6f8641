import { describe, expect, it } from 'vitest';
import type { Severity } from '../../domain/alarm.js';
import type { CustomerClass } from '../../domain/customer-class.js';
import { DEFAULT_SETTINGS } from '../settings-defaults.js';
import { planCollection, type CollectionDay, type MeterCollection } from './plan.js';

const FULL = { voltage: 96, current: 96, load: 96 };
const NONE = { voltage: 0, current: 0, load: 0 };

function meter(meterId: string, cls: CustomerClass, missingDays: number, curvePoints = FULL, concentratorId: string | null = null): MeterCollection {
  return { meterId, concentratorId, c1: DEFAULT_SETTINGS[cls].C1, c2: DEFAULT_SETTINGS[cls].C2, missingDays, curvePoints };
}

function plan(meters: MeterCollection[], open: [string, Severity][] = []) {
  const day: CollectionDay = { day: '2025-01-06', timeZone: 'Asia/Shanghai', expectedPoints: 96, minGroupMeters: 2, meters, open: new Map(open) };
  return planCollection(day).map((t) => `${t.kind} ${t.originator ?? t.meterId} ${t.rule} ${t.severity} ${t.value}`);
}

describe('planCollection', () => {
  it.each<[string, MeterCollection[], [string, Severity][], string[]]>([
    ['all delivered: nothing', [meter('m1', 'KEY', 0)], [], []],
    ['KEY 1 day missing, curves complete', [meter('m1', 'KEY', 1)], [], ['raise m1 C1 WARNING 1']],
    ['KEY 2 days missing, silent', [meter('m1', 'KEY', 2, NONE)], [], ['raise m1 C1 MAJOR 2']],
    ['RESIDENTIAL 3 days missing', [meter('r1', 'RESIDENTIAL', 3, NONE)], [], ['raise r1 C1 INDETERMINATE 3']],
    ['RESIDENTIAL 2 days missing: below the ladder', [meter('r1', 'RESIDENTIAL', 2, NONE)], [], []],
    ['late freeze clears the open C1', [meter('m1', 'KEY', 0)], [['m1|C1', 'MAJOR']], ['clear m1 C1 MAJOR 0']],
    ['still missing: raise again (the store makes it a no-op or an update)', [meter('m1', 'KEY', 1)], [['m1|C1', 'WARNING']], ['raise m1 C1 WARNING 1']],
    ['curves at 86/96: C2', [meter('m1', 'KEY', 0, { voltage: 96, current: 86, load: 96 })], [], ['raise m1 C2 WARNING 89.58333333333333']],
    ['curves complete again: C2 clears', [meter('m1', 'KEY', 0)], [['m1|C2', 'WARNING']], ['clear m1 C2 WARNING 100']],
    ['curves at 87/96 with C2 open: hysteresis holds', [meter('m1', 'KEY', 0, { voltage: 87, current: 96, load: 96 })], [['m1|C2', 'WARNING']], []],
    ['silent meter: C1 only, not also C2', [meter('m1', 'KEY', 1, NONE)], [], ['raise m1 C1 WARNING 1']],
    ['RESIDENTIAL without curves: no C2', [meter('r1', 'RESIDENTIAL', 0, NONE)], [], []],
    [
      'silent concentrator: one grouped alarm at the most severe class',
      [meter('r1', 'RESIDENTIAL', 7, NONE, 'T1'), meter('r2', 'RESIDENTIAL', 3, NONE, 'T1'), meter('k1', 'KEY', 4, NONE, 'T1')],
      [], ['raise concentrator:T1 C1 MAJOR 3'],
    ],
    [
      'silent residential concentrator, 2 days: nothing yet',
      [meter('r1', 'RESIDENTIAL', 2, NONE, 'T1'), meter('r2', 'RESIDENTIAL', 2, NONE, 'T1')], [], [],
    ],
    [
      'one meter of the concentrator delivers: per-meter alarms',
      [meter('r1', 'RESIDENTIAL', 3, NONE, 'T1'), meter('r2', 'RESIDENTIAL', 0, NONE, 'T1')],
      [['concentrator:T1|C1', 'INDETERMINATE']], ['clear concentrator:T1 C1 INDETERMINATE 0', 'raise r1 C1 INDETERMINATE 3'],
    ],
    [
      'a concentrator of one meter is judged as that meter (its alarm keeps the customer)',
      [meter('k1', 'KEY', 1, NONE, 'T2')], [], ['raise k1 C1 WARNING 1'],
    ],
    [
      'grouped alarm still open: meters of the concentrator stay as they are',
      [meter('k1', 'KEY', 2, NONE, 'T1'), meter('k2', 'KEY', 2, NONE, 'T1')],
      [['concentrator:T1|C1', 'WARNING'], ['k1|C1', 'WARNING']], ['raise concentrator:T1 C1 MAJOR 2'],
    ],
  ])('%s', (_name, meters, open, expected) => {
    expect(plan(meters, open)).toEqual(expected);
  });

  it('dates a C1 alarm from the first missing freeze (D+1 00:00 closes D)', () => {
    const [t] = planCollection({ day: '2025-01-06', timeZone: 'Asia/Shanghai', expectedPoints: 96, minGroupMeters: 2, meters: [meter('m1', 'KEY', 2)], open: new Map() });
    // Missing: the freezes of 01-06 00:00 (closing 01-05) and 01-07 00:00 (closing 01-06), Shanghai time.
    expect([new Date(t.startTsMs).toISOString(), new Date(t.lastTsMs).toISOString()]).toEqual(['2025-01-05T16:00:00.000Z', '2025-01-06T16:00:00.000Z']);
  });
});
