import type { Logger } from '../log.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import type { SendWebhook } from './sender.http.js';
import type { DeliveryStatus, DeliveryStore } from './store.js';

export interface AttemptDeps {
  deliveries: DeliveryStore;
  send: SendWebhook;
  clock: () => number;
  log: Logger;
}

/**
 * 'gone': nothing to send (delivered already, dead, or its subscription was deleted); a re-delivered
 * queue job ends here instead of posting twice.
 */
export type AttemptResult = DeliveryStatus | 'gone';

/**
 * One attempt of one delivery, shared by both queue adapters: they decide whether it is the last attempt
 * and when the next would be; this signs, posts and records the attempt in the delivery log.
 */
export async function attemptDelivery(
  deps: AttemptDeps,
  id: string,
  plan: (cycleAttempts: number) => { last: boolean; nextAttemptAt: Date | null },
): Promise<AttemptResult> {
  const due = await deps.deliveries.due(id);
  if (!due || due.status !== 'pending') return 'gone';
  const { last, nextAttemptAt } = plan(due.cycleAttempts);
  // Signed per attempt: the timestamp is part of the signature, so a receiver can refuse old replays.
  const signature = signatureHeader(due.secret, due.body, Math.floor(deps.clock() / 1000));
  const result = await deps.send(due.url, due.body, { [SIGNATURE_HEADER]: signature, [DELIVERY_HEADER]: due.id });
  const status: DeliveryStatus = result.ok ? 'delivered' : last ? 'dead' : 'pending';
  await deps.deliveries.recordAttempt(id, { ...result, status, nextAttemptAt: status === 'pending' ? nextAttemptAt : null });
  if (status === 'dead') deps.log.warn({ deliveryId: id, error: result.error }, 'webhook delivery failed its last attempt; kept as a dead letter');
  else if (status === 'pending') deps.log.debug({ deliveryId: id, error: result.error }, 'webhook delivery failed; will retry');
  return status;
}
