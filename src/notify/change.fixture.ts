import type { Severity } from '../domain/alarm.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { AlarmChange } from './subscription.js';

/** An alarm change for tests; override what the case is about. */
export function alarmChange(
  change: AlarmChange['change'] = 'created',
  o: { id?: string; severity?: Severity; rule?: string; classes?: CustomerClass[]; customerId?: string; meterId?: string; lastTs?: string } = {},
): AlarmChange {
  const alarm = {
    id: o.id ?? '42',
    meterId: o.meterId ?? '3101000001',
    rule: o.rule ?? 'O1',
    phase: '',
    severity: o.severity ?? 'MAJOR',
    active: change !== 'cleared',
    acknowledged: change === 'acknowledged',
    startTs: '2025-03-01T08:00:00.000Z',
    lastTs: o.lastTs ?? '2025-03-01T08:15:00.000Z',
    clearTs: change === 'cleared' ? '2025-03-01T09:00:00.000Z' : null,
    ackTs: change === 'acknowledged' ? '2025-03-01T08:20:00.000Z' : null,
    ackBy: change === 'acknowledged' ? 'dispatcher' : null,
    ackComment: null,
    peakValue: 130,
    threshold: 100,
    details: {},
    clearedBy: null,
    clearComment: null,
    manualClear: false,
    customer: { id: o.customerId ?? 'C001', name: 'Works', classes: o.classes ?? ['DEDICATED', 'KEY'], address: '', accountManager: '' },
  };
  return { change, alarm: alarm as AlarmChange['alarm'] };
}
