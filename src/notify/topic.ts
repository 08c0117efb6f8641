import { classRank } from '../domain/customer-class.js';
import type { AlarmChange } from './subscription.js';

// [MQTT-4.7.1-1] '+' and '#' are wildcards and '/' separates levels: an id holding one would change the topic's shape.
const level = (id: string) => id.replace(/[/+#]/g, '_') || '_';

/** `alarms/{class}/{customerId}/{meterId}`, class being the customer's most precedent class (UNCLASSIFIED without one). */
export function alarmTopic(change: AlarmChange): string {
  const { customer, meterId } = change.alarm;
  const leading = [...customer.classes].sort((a, b) => classRank(a) - classRank(b))[0] ?? 'UNCLASSIFIED';
  return `alarms/${leading}/${level(customer.id)}/${level(meterId)}`;
}
