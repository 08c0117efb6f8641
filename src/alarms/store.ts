import type { Alarm } from '../domain/alarm.js';
import type { MeterContext } from '../domain/archive.js';
import type { Transition } from '../rules/transition.js';
import type { AlarmCursor } from './cursor.js';
import type { ChangeKind, ManualClear } from './lifecycle.js';

/** What the store needs of a meter's context: the customer its alarms link to. */
export type CustomerOf = { customer: Pick<MeterContext['customer'], 'id'> };

/** An alarm as stored: the domain alarm plus who cleared it by hand, if anyone did. */
export type StoredAlarm = Alarm & ManualClear;

/** What changed about one alarm; callers push these to the live stream and notifiers. */
export interface AlarmChange {
  change: ChangeKind;
  alarm: StoredAlarm;
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
  /** start_ts ≥ fromMs. */
  fromMs?: number;
  /** start_ts < toMs. */
  toMs?: number;
  /** The page after this alarm (see cursor.ts). */
  after?: AlarmCursor;
  /** Default 100, at most 1000. */
  limit?: number;
}

/** One line of an alarm's history (domain.md 6.3 audit): who did what when. */
export interface AlarmEvent {
  id: string;
  at: string;
  /** A ChangeKind. */
  type: string;
  /** 'rules' for the engine, else the user. */
  actor: string;
  detail: Record<string, unknown>;
}

export type ClearResult =
  | { ok: true; change: AlarmChange }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-active'; alarm: StoredAlarm };

export interface AlarmStore {
  /** Open before cleared, newest start first, then id descending. */
  list(filter: AlarmFilter): Promise<StoredAlarm[]>;
  get(id: string): Promise<StoredAlarm | undefined>;
  /** Undefined when there is no such alarm; an alarm acknowledged before is returned unchanged. */
  acknowledge(id: string, by: string, comment: string): Promise<AlarmChange | undefined>;
  /** Manual clear (domain.md 6.3); the rule re-raises only after it observed NORMAL again. */
  clear(id: string, by: string, comment: string): Promise<ClearResult>;
  /** Oldest first; undefined when there is no such alarm. */
  history(id: string): Promise<AlarmEvent[] | undefined>;
  openForCustomer(customerId: string): Promise<StoredAlarm[]>;
  /** Writes rule transitions idempotently, in order; contexts holds the meterId of every transition without an originator. */
  apply(transitions: readonly Transition[], contexts: ReadonlyMap<string, CustomerOf>): Promise<AlarmChange[]>;
}
