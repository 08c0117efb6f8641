import type { Customer, Meter } from '../domain/archive.js';
import type { ArchiveError, RawArchiveRow } from './columns.js';
import { parseArchiveRow } from './row.js';

/** A validated archive, ready to import: every customer once, every meter once. */
export interface Archive {
  customers: Customer[];
  meters: Meter[];
  concentrators: string[];
}

export type ArchiveValidation = { ok: true; archive: Archive } | { ok: false; errors: ArchiveError[] };

/** Enough for anyone to fix a file in rounds, small enough for an HTTP response. */
export const MAX_LISTED_ERRORS = 1000;

const CUSTOMER_FIELDS = [
  ['name', 'customer_name'],
  ['classes', 'classes'],
  ['address', 'address'],
  ['phone', 'phone'],
  ['accountManager', 'account_manager'],
  ['contractKva', 'contract_kva'],
  ['pfStandard', 'pf_standard'],
  ['lat', 'lat'],
  ['lon', 'lon'],
] as const satisfies readonly (readonly [keyof Customer, string])[];

/**
 * Checks every row and the rows against each other; lists every problem (up to MAX_LISTED_ERRORS),
 * together with earlierErrors (those found while reading the file), sorted by line.
 */
export function validateArchive(rows: readonly RawArchiveRow[], earlierErrors: readonly ArchiveError[] = []): ArchiveValidation {
  const errors: ArchiveError[] = [...earlierErrors];
  const customers = new Map<string, { customer: Customer; line: number }>();
  const meters: Meter[] = [];
  // Duplicates are looked for on every row, even one with other bad fields, so one pass lists them all.
  const meterLines = new Map<string, number>();
  for (const row of rows) {
    const parsed = parseArchiveRow(row);
    if (!parsed.ok) errors.push(...parsed.errors);
    const meterId = String(row.values.meter_id ?? '').trim();
    const seenLine = meterLines.get(meterId);
    if (seenLine !== undefined) errors.push({ line: row.line, column: 'meter_id', reason: `meter ${meterId} is already on line ${seenLine}` });
    else if (meterId !== '') meterLines.set(meterId, row.line);
    if (!parsed.ok || seenLine !== undefined) continue;
    const { customer, meter } = parsed;
    meters.push(meter);
    const seenCustomer = customers.get(customer.id);
    if (seenCustomer) errors.push(...conflicts(seenCustomer.customer, seenCustomer.line, customer, row.line));
    else customers.set(customer.id, { customer, line: row.line });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, column: '', reason: 'the archive has no meter rows' });
  if (errors.length > 0) return { ok: false, errors: capped(errors) };

  const concentrators = new Set(meters.flatMap((m) => (m.concentratorId ? [m.concentratorId] : [])));
  return { ok: true, archive: { customers: [...customers.values()].map((c) => c.customer), meters, concentrators: [...concentrators] } };
}

/** The customer columns repeat on each of its meters, so they must agree everywhere. */
function conflicts(first: Customer, firstLine: number, other: Customer, line: number): ArchiveError[] {
  return CUSTOMER_FIELDS.filter(([field]) => String(first[field]) !== String(other[field])).map(([field, column]) => ({
    line,
    column,
    reason: `customer ${other.id} has ${JSON.stringify(other[field])} here but ${JSON.stringify(first[field])} on line ${firstLine}`,
  }));
}

function capped(errors: ArchiveError[]): ArchiveError[] {
  const sorted = errors.sort((a, b) => a.line - b.line);
  if (sorted.length <= MAX_LISTED_ERRORS) return sorted;
  const rest = sorted.length - MAX_LISTED_ERRORS;
  const next = sorted[MAX_LISTED_ERRORS];
  return [...sorted.slice(0, MAX_LISTED_ERRORS), { line: next.line, column: '', reason: `${rest} more errors not listed` }];
}
