import { classRank, type CustomerClass } from '../domain/customer-class.js';
import { KIND_COLUMNS, type AnySample, type Kind } from '../domain/sample.js';

/** What a row carries besides the sample: the meter's customer and class, from the archive at write time. */
export interface MeterTags {
  customerId: string;
  /** The customer's class of highest precedence; null when the customer has none. */
  customerClass: CustomerClass | null;
}

/** One ILP row, in the order the line is written: symbols, then fields; a null value is an absent field (NULL in QuestDB). */
export interface IlpRow {
  table: string;
  symbols: [name: string, value: string][];
  fields: [name: string, value: number][];
  tsMs: number;
}

/** A value that would reach QuestDB as NaN or Infinity: validation (src/ingest/decode.ts) must have stopped it. */
export class NonFiniteValueError extends Error {}

export function questDbTableOf(kind: Kind): string {
  return `telemetry_${kind}`;
}

/** The class written for a customer: the first of its classes in precedence order (customer-class.ts). */
export function leadingClass(classes: readonly CustomerClass[]): CustomerClass | null {
  return classes.length === 0 ? null : [...classes].sort((x, y) => classRank(x) - classRank(y))[0];
}

/**
 * QuestDB stores NaN and Infinity as NULL, which would turn a faulty meter into a meter that could
 * not read. Decoding rejects them; reaching here with one is a programming error, so it throws.
 */
export function sampleToRow(sample: AnySample, tags: MeterTags | undefined): IlpRow {
  if (!Number.isSafeInteger(sample.tsMs)) throw new NonFiniteValueError(`meter ${sample.meterId}: timestamp ${sample.tsMs} is not whole epoch ms`);
  const symbols: IlpRow['symbols'] = [['meter_id', sample.meterId]];
  if (tags) symbols.push(['customer_id', tags.customerId]);
  if (tags?.customerClass) symbols.push(['class', tags.customerClass]);
  const fields: IlpRow['fields'] = [];
  const values = sample.values as unknown as Record<string, number | null>;
  for (const column of [...(KIND_COLUMNS[sample.kind] as readonly string[]), 'multiplier']) {
    const value = column === 'multiplier' ? sample.multiplier : values[column];
    if (value === null) continue;
    if (!Number.isFinite(value)) throw new NonFiniteValueError(`meter ${sample.meterId} ${sample.kind}.${column} at ${sample.tsMs}: ${value} is not finite`);
    fields.push([column, value]);
  }
  return { table: questDbTableOf(sample.kind), symbols, fields, tsMs: sample.tsMs };
}

/** The symbols the archive gives a meter: its customer and that customer's leading class. */
export function meterTagsOf(context: { customer: { id: string; classes: readonly CustomerClass[] } } | undefined): MeterTags | undefined {
  return context && { customerId: context.customer.id, customerClass: leadingClass(context.customer.classes) };
}
