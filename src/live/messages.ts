import { isCustomerClass } from '../domain/customer-class.js';

/** What a dashboard can watch. */
export interface Topics {
  meters: string[];
  customers: string[];
  classes: string[];
  /** Every alarm change, whoever it concerns. */
  alarms: boolean;
}

export type ClientMessage = { op: 'subscribe' | 'unsubscribe'; topics: Topics };

const MAX_IDS = 1000;

/** Parses `{"op":"subscribe","meters":[...],"customers":[...],"classes":[...],"alarms":true}`. Pure. */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; message: string } {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, message: 'messages must be JSON' };
  }
  if (value === null || typeof value !== 'object' || (value.op !== 'subscribe' && value.op !== 'unsubscribe')) {
    return { ok: false, message: 'op must be "subscribe" or "unsubscribe"' };
  }
  const topics: Topics = { meters: [], customers: [], classes: [], alarms: value.alarms === true };
  for (const field of ['meters', 'customers', 'classes'] as const) {
    const ids = value[field];
    if (ids === undefined) continue;
    if (!Array.isArray(ids) || ids.length > MAX_IDS || !ids.every((id) => typeof id === 'string')) {
      return { ok: false, message: `${field} must be an array of at most ${MAX_IDS} strings` };
    }
    topics[field] = ids as string[];
  }
  const badClass = topics.classes.find((c) => !isCustomerClass(c));
  if (badClass) return { ok: false, message: `unknown class ${JSON.stringify(badClass)}` };
  return { ok: true, message: { op: value.op, topics } };
}
