import type { AlarmChange } from './subscription.js';

/** The webhook body: built once when the delivery is created and sent byte for byte on every attempt. */
export function webhookBody(deliveryId: string, subscriptionId: string, change: AlarmChange): string {
  return JSON.stringify({ deliveryId, subscriptionId, type: `alarm.${change.change}`, change: change.change, alarm: change.alarm });
}
