import { createHash } from 'node:crypto';
import type { AlarmChange } from './subscription.js';

/**
 * What identifies one change of one alarm. A replayed rule batch yields no change at all (the lifecycle
 * returns nothing for a transition already applied), and each real change moves the field named here,
 * so the key is the same whenever the same event is seen again and differs for the next event.
 */
export function alarmEventKey(c: AlarmChange): string {
  const a = c.alarm;
  switch (c.change) {
    case 'created':
      return a.startTs;
    case 'cleared':
      return a.clearTs ?? a.lastTs;
    case 'acknowledged':
      return a.ackTs ?? a.lastTs;
    default:
      return `${a.severity}@${a.lastTs}`;
  }
}

/**
 * The receiver's deduplication key, also the BullMQ jobId and the primary key of notify_deliveries, so it is
 * the same across retries, re-run rule jobs and re-delivered queue jobs. Hex only: BullMQ ids may not hold ':'.
 */
export function deliveryId(subscriptionId: string, change: AlarmChange): string {
  const parts = [subscriptionId, change.alarm.id, change.change, alarmEventKey(change)];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
