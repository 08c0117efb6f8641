import { describe, expect, it } from 'vitest';
import { alarmChange } from './change.fixture.js';
import { deliveryId } from './delivery-id.js';

describe('deliveryId', () => {
  const base = deliveryId('sub_a', alarmChange('created'));

  it('is 32 hex characters (a valid BullMQ jobId: no ":")', () => {
    expect(base).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the same for the same event seen again', () => {
    expect(deliveryId('sub_a', alarmChange('created'))).toBe(base);
  });

  it.each([
    ['another subscription', deliveryId('sub_b', alarmChange('created'))],
    ['another alarm', deliveryId('sub_a', alarmChange('created', { id: '43' }))],
    ['another change of the alarm', deliveryId('sub_a', alarmChange('cleared'))],
    ['a second escalation', deliveryId('sub_a', alarmChange('escalated', { severity: 'CRITICAL', lastTs: '2025-03-01T09:30:00.000Z' }))],
  ])('differs for %s', (_name, other) => {
    expect(other).not.toBe(base);
  });

  it('tells two escalations of one alarm apart', () => {
    const first = deliveryId('sub_a', alarmChange('escalated', { severity: 'MAJOR', lastTs: '2025-03-01T08:30:00.000Z' }));
    const second = deliveryId('sub_a', alarmChange('escalated', { severity: 'CRITICAL', lastTs: '2025-03-01T08:45:00.000Z' }));
    expect(first).not.toBe(second);
  });
});
