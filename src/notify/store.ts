import type { Subscription, SubscriptionFilter, SubscriptionWithSecret } from './subscription.js';

export interface NewSubscription {
  url: string;
  description: string;
  filter: SubscriptionFilter;
  /** Who creates it (token id or username): an integrator sees and changes only its own. */
  owner?: string;
}

export interface SubscriptionStore {
  /** Generates the id and the secret; the only call that returns the secret to the API. */
  create(s: NewSubscription): Promise<SubscriptionWithSecret>;
  list(): Promise<Subscription[]>;
  get(id: string): Promise<Subscription | undefined>;
  /** Its deliveries go with it; pending ones are then skipped by the worker. */
  remove(id: string): Promise<boolean>;
  /** For the notifier's matching: every subscription with the secret it signs with. */
  listWithSecrets(): Promise<SubscriptionWithSecret[]>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface NewDelivery {
  id: string;
  subscriptionId: string;
  alarmId: string;
  change: string;
  body: string;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  alarmId: string;
  change: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AttemptRecord {
  attempt: number;
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** What the worker needs to make one attempt. */
export interface DueDelivery {
  id: string;
  url: string;
  secret: string;
  body: string;
  status: DeliveryStatus;
  /** Attempts since the delivery was created or last revived from the dead letters. */
  cycleAttempts: number;
}

export interface AttemptOutcome {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  status: DeliveryStatus;
  /** Embedded queue only: when to try again. */
  nextAttemptAt: Date | null;
}

export interface DeliveryStore {
  /** Inserts the new ones (an id seen before is left as it is); returns the ids of all given that are still pending. */
  add(deliveries: readonly NewDelivery[], firstAttemptAt: Date | null): Promise<string[]>;
  due(id: string): Promise<DueDelivery | undefined>;
  recordAttempt(id: string, outcome: AttemptOutcome): Promise<void>;
  list(subscriptionId: string, filter: { status?: DeliveryStatus; limit: number }): Promise<Delivery[]>;
  get(subscriptionId: string, deliveryId: string): Promise<Delivery | undefined>;
  attempts(deliveryId: string): Promise<AttemptRecord[]>;
  /** A dead letter back to pending for a new full schedule; false when it is not a dead letter of that subscription. */
  revive(subscriptionId: string, deliveryId: string, firstAttemptAt: Date | null): Promise<boolean>;
  /** Pending ids, oldest first; with a time, only those whose next attempt is due by then (embedded queue). */
  pending(dueBy: Date | null, limit: number): Promise<string[]>;
}
