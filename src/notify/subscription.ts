import type { AlarmChange } from '../alarms/store.js';
import type { Severity } from '../domain/alarm.js';
import type { CustomerClass } from '../domain/customer-class.js';

/** The alarm changes a subscriber can ask for (issue 3); de-escalations and updates are not notified. */
export const NOTIFY_TRANSITIONS = ['created', 'escalated', 'acknowledged', 'cleared'] as const;
export type NotifyTransition = (typeof NOTIFY_TRANSITIONS)[number];

/** Every list is optional; an absent list matches everything (transitions: the default policy). */
export interface SubscriptionFilter {
  classes?: CustomerClass[];
  severities?: Severity[];
  rules?: string[];
  customers?: string[];
  transitions?: NotifyTransition[];
}

export interface Subscription {
  id: string;
  url: string;
  description: string;
  filter: SubscriptionFilter;
  createdAt: string;
  /** Who created it (token id or username); null for subscriptions older than owners. */
  owner: string | null;
}

/** Only the notifier and the delivery worker see the secret. */
export interface SubscriptionWithSecret extends Subscription {
  secret: string;
}

export type { AlarmChange };
