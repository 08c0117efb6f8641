import { Type } from '@sinclair/typebox';
import { ApiError } from './errors.js';
import { CUSTOMER_CLASSES } from '../domain/customer-class.js';
import { SEVERITIES } from '../domain/alarm.js';
import { KINDS } from '../domain/sample.js';

/** Request schemas shared by several routes. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const ClassCode = Type.Union(CUSTOMER_CLASSES.map((c) => Type.Literal(c)));
export const SeverityCode = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));
export const KindName = Type.Union(KINDS.map((k) => Type.Literal(k)));
/** An instant as ISO-8601 or epoch milliseconds. */
export const Instant = Type.String({ minLength: 1, description: 'ISO-8601 instant or epoch milliseconds' });

/** An Instant's value as epoch milliseconds; a clear 400 naming the parameter otherwise. */
export function parseInstant(name: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError(400, 'BAD_INSTANT', `${name} must be an ISO-8601 instant or epoch milliseconds, got ${JSON.stringify(value)}`);
  return ms;
}
