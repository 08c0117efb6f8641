import type { Logger } from '../log.js';
import { deliveryId } from './delivery-id.js';
import { matchesFilter } from './filter.js';
import { webhookBody } from './payload.js';
import type { DeliveryQueue } from './queue.js';
import type { DeliveryStore, NewDelivery, SubscriptionStore } from './store.js';
import type { AlarmChange } from './subscription.js';

export interface Notifier {
  /** Resolves once every matching delivery is recorded in PostgreSQL and queued. */
  notify(changes: readonly AlarmChange[]): Promise<void>;
}

/** Filter -> one delivery per (subscription, change) -> notify_deliveries -> queue. */
export function createNotifier(deps: { subscriptions: SubscriptionStore; deliveries: DeliveryStore; queue: DeliveryQueue; log: Logger }): Notifier {
  return {
    async notify(changes) {
      if (changes.length === 0) return;
      const subscriptions = await deps.subscriptions.listWithSecrets();
      const rows: NewDelivery[] = [];
      for (const change of changes) {
        for (const s of subscriptions) {
          if (!matchesFilter(s.filter, change)) continue;
          const id = deliveryId(s.id, change);
          rows.push({ id, subscriptionId: s.id, alarmId: change.alarm.id, change: change.change, body: webhookBody(id, s.id, change) });
        }
      }
      const pending = await deps.deliveries.add(rows, deps.queue.firstAttemptAt());
      await deps.queue.enqueue(pending);
      if (rows.length > 0) deps.log.debug({ deliveries: rows.length, pending: pending.length }, 'webhook deliveries queued');
    },
  };
}
