import type { Alarm } from '../domain/alarm.js';
import type { MeterContext } from '../domain/archive.js';
import type { Transition } from '../rules/transition.js';
import type { ChangeKind } from './lifecycle.js';

/** What changed about one alarm; callers push these to the live stream and notifiers. */
export interface AlarmChange {
  change: ChangeKind;
  alarm: Alarm;
}

export interface AlarmFilter {
  /** Default 'open'. */
  state?: 'open' | 'cleared' | 'all';
  /** Customers in any of these classes. */
  classes?: string[];
  severities?: string[];
  customerId?: string;
  meterId?: string;
  rule?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface AlarmStore {
  /** Newest first (open before cleared when both are asked for). */
  list(filter: AlarmFilter): Promise<Alarm[]>;
  get(id: string): Promise<Alarm | undefined>;
  /** Undefined when there is no such alarm; an alarm acknowledged before is returned unchanged. */
  acknowledge(id: string, by: string, comment: string): Promise<AlarmChange | undefined>;
  openForCustomer(customerId: string): Promise<Alarm[]>;
  /** Writes rule transitions idempotently, in order; contexts holds every meterId of the transitions. */
  apply(transitions: readonly Transition[], contexts: ReadonlyMap<string, MeterContext>): Promise<AlarmChange[]>;
}
