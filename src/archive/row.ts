import type { Customer, Meter, ValuesSide, Wiring } from '../domain/archive.js';
import { WIRINGS } from '../domain/archive.js';
import { classRank, isCustomerClass, type CustomerClass } from '../domain/customer-class.js';
import type { ArchiveColumn, ArchiveError, RawArchiveRow } from './columns.js';

export type RowResult = { ok: true; customer: Customer; meter: Meter } | { ok: false; errors: ArchiveError[] };

// Ids end up in MQTT topics and URLs: keep them to characters that need no escaping in either.
const ID = /^[A-Za-z0-9._-]{1,64}$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const VALUES_SIDES: readonly string[] = ['secondary', 'primary'] satisfies ValuesSide[];

type Check<T> = (v: T) => string | undefined;
const positive: Check<number> = (v) => (v > 0 ? undefined : 'must be greater than 0');
const range =
  (min: number, max: number): Check<number> =>
  (v) => (v >= min && v <= max ? undefined : `must be between ${min} and ${max}`);
const powerFactor: Check<number> = (v) => (v > 0 && v <= 1 ? undefined : 'must be greater than 0 and at most 1');

/** Turns one raw row into a customer and a meter, or lists every bad field of it. */
export function parseArchiveRow(row: RawArchiveRow): RowResult {
  const errors: ArchiveError[] = [];
  const r = new RowReader(row, errors);
  const customer: Customer = {
    id: r.id('customer_id', true) ?? '',
    name: r.text('customer_name', true),
    classes: r.classes(),
    address: r.text('address'),
    phone: r.text('phone'),
    accountManager: r.text('account_manager'),
    contractKva: r.number('contract_kva', positive),
    pfStandard: r.number('pf_standard', powerFactor),
    lat: r.number('lat', range(-90, 90)),
    lon: r.number('lon', range(-180, 180)),
  };
  const coordinateFailed = errors.some((e) => e.column === 'lat' || e.column === 'lon');
  if ((customer.lat === null) !== (customer.lon === null) && !coordinateFailed) {
    errors.push({ line: row.line, column: customer.lat === null ? 'lat' : 'lon', reason: 'lat and lon go together: give both or neither' });
  }
  const meter: Meter = {
    id: r.id('meter_id', true) ?? '',
    customerId: customer.id,
    concentratorId: r.id('concentrator_id', false),
    wiring: r.oneOf('wiring', WIRINGS) as Wiring,
    nominalVoltageV: r.number('nominal_voltage_v', positive, true) ?? 0,
    ratedCurrentA: r.number('rated_current_a', positive),
    // An empty ratio means a direct-connected meter (domain.md 1.6: K_CT = 1, K_PT = 1 for LV).
    ctRatio: r.number('ct_ratio', positive) ?? 1,
    ptRatio: r.number('pt_ratio', positive) ?? 1,
    valuesSide: r.oneOf('values_side', VALUES_SIDES) as ValuesSide,
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, customer, meter };
}

/** Reads typed fields off one row, recording a problem per bad field instead of stopping at the first. */
class RowReader {
  constructor(
    private readonly row: RawArchiveRow,
    private readonly errors: ArchiveError[],
  ) {}

  text(column: ArchiveColumn, required = false): string {
    const v = this.row.values[column];
    if (v === undefined || v === null) return this.missing(column, required, '');
    if (typeof v !== 'string' && typeof v !== 'number') return this.fail(column, 'must be text', '');
    const s = String(v).trim();
    return s === '' ? this.missing(column, required, '') : s;
  }

  id(column: ArchiveColumn, required: boolean): string | null {
    const s = this.text(column, required);
    if (s === '') return null;
    return ID.test(s) ? s : this.fail(column, 'must be 1-64 letters, digits, "-", "_" or "."', null);
  }

  number(column: ArchiveColumn, check: Check<number>, required = false): number | null {
    const v = this.row.values[column];
    const s = typeof v === 'string' ? v.trim() : v;
    if (s === undefined || s === null || s === '') return this.missing(column, required, null);
    const n = typeof s === 'number' ? s : typeof s === 'string' && DECIMAL.test(s) ? Number(s) : NaN;
    if (!Number.isFinite(n)) return this.fail(column, `${JSON.stringify(v)} is not a number`, null);
    const problem = check(n);
    return problem ? this.fail(column, problem, null) : n;
  }

  oneOf(column: ArchiveColumn, allowed: readonly string[]): string {
    const s = this.text(column, true);
    if (s === '' || allowed.includes(s)) return s;
    return this.fail(column, `${JSON.stringify(s)} is not one of ${allowed.join(', ')}`, s);
  }

  /** Codes separated by "|" (or a JSON array of codes), kept once each in precedence order (KEY first). */
  classes(): CustomerClass[] {
    const v = this.row.values.classes;
    const parts = Array.isArray(v) ? v.map(String) : this.text('classes', true).split('|');
    const codes = parts.map((p) => p.trim()).filter((p) => p !== '');
    if (codes.length === 0) return Array.isArray(v) ? this.fail('classes', 'is required', []) : [];
    const unknown = codes.filter((c) => !isCustomerClass(c));
    if (unknown.length > 0) return this.fail('classes', `unknown class ${unknown.map((c) => JSON.stringify(c)).join(', ')}`, []);
    return [...new Set(codes as CustomerClass[])].sort((a, b) => classRank(a) - classRank(b));
  }

  private missing<T>(column: ArchiveColumn, required: boolean, empty: T): T {
    return required ? this.fail(column, 'is required', empty) : empty;
  }

  private fail<T>(column: ArchiveColumn, reason: string, fallback: T): T {
    this.errors.push({ line: this.row.line, column, reason });
    return fallback;
  }
}
