import type { RecordSecurityEvent } from '../access/security-events.js';
import type { Sql } from '../db/sql.js';
import type { Logger } from '../log.js';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './backoff.js';
import { createDeliveryStorePg } from './deliveries.pg.js';
import { createNotifier, type Notifier } from './notifier.js';
import { createBullmqDeliveryQueue } from './queue.bullmq.js';
import { createPgDeliveryQueue } from './queue.pg.js';
import type { DeliveryQueue } from './queue.js';
import { redisConnection } from './redis-options.js';
import { createHttpSender } from './sender.http.js';
import type { DeliveryStore, NewSubscription, SubscriptionStore } from './store.js';
import type { SubscriptionWithSecret } from './subscription.js';
import { createSubscriptionStorePg } from './subscriptions.pg.js';
import { resolveHostDns } from './resolve-host.dns.js';
import { checkWebhookUrl, type ResolveHost } from './webhook-target.js';

export type Subscribed = { ok: true; subscription: SubscriptionWithSecret } | { ok: false; reason: 'url'; detail: string };

/** What the subscriptions API needs; methods only, all async, so the API can be served before the database is open. */
export interface NotifyApi {
  /** Checks the URL against the request-forgery policy (webhook-target.ts), then stores; the answer holds the secret. */
  subscribe(s: NewSubscription): Promise<Subscribed>;
  listSubscriptions: SubscriptionStore['list'];
  getSubscription: SubscriptionStore['get'];
  unsubscribe: SubscriptionStore['remove'];
  listDeliveries: DeliveryStore['list'];
  getDelivery: DeliveryStore['get'];
  deliveryAttempts: DeliveryStore['attempts'];
  /** A dead letter back into the queue for a new full schedule; false when there is no such dead letter. */
  redeliver(subscriptionId: string, deliveryId: string): Promise<boolean>;
}

export interface NotifyOptions {
  sql: Sql;
  /** Set: deliveries go through BullMQ; unset: through the embedded queue over PostgreSQL. */
  redisUrl?: string;
  /** Redis key prefix (tests). */
  redisPrefix?: string;
  allowLoopbackHttp: boolean;
  /** Host name to addresses, for the request-forgery check; the system resolver unless a test has its own. */
  resolveHost?: ResolveHost;
  /** Refused webhook URLs (request forgery) are security events: at registration and at each refused send. */
  securityEvent?: RecordSecurityEvent;
  schedule?: RetrySchedule;
  requestTimeoutMs?: number;
  pollIntervalMs?: number;
  clock?: () => number;
  log: Logger;
}

export interface NotifyService {
  notifier: Notifier;
  api: NotifyApi;
  close(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Webhook subscribers: stores, the queue that fits the deployment, the notifier and the API's port. */
export async function startNotify(o: NotifyOptions): Promise<NotifyService> {
  const subscriptions = createSubscriptionStorePg(o.sql);
  const deliveries = createDeliveryStorePg(o.sql);
  const schedule = o.schedule ?? DEFAULT_RETRY_SCHEDULE;
  const log = o.log;
  const policy = { allowLoopbackHttp: o.allowLoopbackHttp, resolve: o.resolveHost ?? resolveHostDns };
  // The reason names the host and address, never the whole URL: its path or query could hold a receiver's key.
  const refused = (fields: { stage: 'registration' | 'send'; reason: string; by?: string }) =>
    o.securityEvent?.('webhook_refused', fields, fields.stage === 'send' ? 'a webhook was not sent: its URL is refused' : 'a webhook URL was refused');
  const send = createHttpSender({ timeoutMs: o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, ...policy, onRefused: (reason) => refused({ stage: 'send', reason }) });
  const attempt = { deliveries, send, clock: o.clock ?? Date.now, log };
  const queue: DeliveryQueue = o.redisUrl
    ? await createBullmqDeliveryQueue({ connection: redisConnection(o.redisUrl), prefix: o.redisPrefix, schedule, attempt, deliveries, log })
    : createPgDeliveryQueue({ deliveries, attempt, schedule, pollIntervalMs: o.pollIntervalMs, log });

  return {
    notifier: createNotifier({ subscriptions, deliveries, queue, log }),
    api: {
      async subscribe(s) {
        const target = await checkWebhookUrl(s.url, policy);
        if (!target.ok) {
          refused({ stage: 'registration', reason: target.problem, by: s.owner });
          return { ok: false, reason: 'url', detail: `url ${target.problem}` };
        }
        return { ok: true, subscription: await subscriptions.create(s) };
      },
      listSubscriptions: () => subscriptions.list(),
      getSubscription: (id) => subscriptions.get(id),
      unsubscribe: (id) => subscriptions.remove(id),
      listDeliveries: (id, filter) => deliveries.list(id, filter),
      getDelivery: (id, deliveryId) => deliveries.get(id, deliveryId),
      deliveryAttempts: (deliveryId) => deliveries.attempts(deliveryId),
      async redeliver(subscriptionId, deliveryId) {
        const revived = await deliveries.revive(subscriptionId, deliveryId, queue.firstAttemptAt());
        if (revived) await queue.enqueue([deliveryId]);
        return revived;
      },
    },
    close: () => queue.close(),
  };
}
