/**
 * How pending deliveries (rows already in notify_deliveries) get attempted and retried. Two adapters:
 * BullMQ when REDIS_URL is set, and an in-process timer over the table itself when it is not.
 */
export interface DeliveryQueue {
  /** Schedules the first attempt of each id; an id already queued is not queued twice. */
  enqueue(ids: readonly string[]): Promise<void>;
  /** The next_attempt_at to store with a new or revived delivery (null: the queue keeps the time). */
  firstAttemptAt(): Date | null;
  close(): Promise<void>;
}
