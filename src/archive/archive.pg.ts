import type { Customer, Meter, MeterContext } from '../domain/archive.js';
import type { Sql } from '../db/sql.js';
import { CUSTOMER_COLUMNS, METER_COLUMNS, toCustomer, toMeter, type CustomerRow, type MeterRow } from './rows.pg.js';
import type { ArchiveSnapshot, ArchiveStore, ConcentratorState, CustomerPage, CustomerQuery, ImportCounts } from './store.js';
import { upsertConcentrators, upsertCustomers, upsertMeters } from './upsert.pg.js';
import type { Archive } from './validate.js';

const METER_WITH_CUSTOMER = `SELECT m.${METER_COLUMNS.replaceAll(', ', ', m.')}, to_jsonb(c) AS customer
  FROM meters m JOIN customers c ON c.id = m.customer_id`;

// $1 classes (any of), $2 an ILIKE pattern; either may be null.
const CUSTOMER_FILTER = `FROM customers c
  WHERE ($1::text[] IS NULL OR c.classes && $1::text[])
    AND ($2::text IS NULL OR c.id ILIKE $2 OR c.name ILIKE $2 OR c.address ILIKE $2
         OR EXISTS (SELECT 1 FROM meters m WHERE m.customer_id = c.id AND m.id ILIKE $2))`;

// The data-modifying CTE runs whether or not the outer query reads it; the outer query tells "unknown" from "stale".
const SET_STATUS = `WITH updated AS (
    UPDATE concentrators SET online = $2, status_at = $3
    WHERE id = $1 AND (status_at IS NULL OR status_at <= $3) RETURNING id)
  SELECT EXISTS (SELECT 1 FROM concentrators WHERE id = $1) AS known`;

type MeterJoinRow = MeterRow & { customer: CustomerRow };

export class PgArchiveStore implements ArchiveStore {
  constructor(private readonly sql: Sql) {}

  importArchive(archive: Archive): Promise<ImportCounts> {
    return this.sql.transaction(async (tx) => {
      // Meters reference both, so they go last.
      const concentrators = await upsertConcentrators(tx, archive.concentrators);
      const customers = await upsertCustomers(tx, archive.customers);
      const meters = await upsertMeters(tx, archive.meters);
      return {
        customers: archive.customers.length,
        meters: archive.meters.length,
        concentrators: archive.concentrators.length,
        created: concentrators.created + customers.created + meters.created,
        updated: customers.updated + meters.updated,
      };
    });
  }

  async listCustomers(query: CustomerQuery): Promise<CustomerPage> {
    if (!(query.page >= 1 && query.pageSize >= 1)) throw new RangeError(`bad page ${query.page} of size ${query.pageSize}`);
    const q = query.q?.trim();
    const filter = [query.classes?.length ? query.classes : null, q ? `%${escapeLike(q)}%` : null];
    const total = await this.sql.query<{ total: number }>(`SELECT count(*)::int AS total ${CUSTOMER_FILTER}`, filter);
    const page = await this.sql.query<CustomerRow & { meter_count: number }>(
      `SELECT c.*, (SELECT count(*)::int FROM meters m WHERE m.customer_id = c.id) AS meter_count
       ${CUSTOMER_FILTER} ORDER BY c.id LIMIT $3 OFFSET $4`,
      [...filter, query.pageSize, (query.page - 1) * query.pageSize],
    );
    return {
      items: page.rows.map((r) => ({ ...toCustomer(r), meterCount: r.meter_count })),
      total: total.rows[0].total,
    };
  }

  async getCustomer(id: string): Promise<(Customer & { meters: Meter[] }) | undefined> {
    const customer = await this.sql.query<CustomerRow>(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = $1`, [id]);
    if (customer.rows.length === 0) return undefined;
    const meters = await this.sql.query<MeterRow>(`SELECT ${METER_COLUMNS} FROM meters WHERE customer_id = $1 ORDER BY id`, [id]);
    return { ...toCustomer(customer.rows[0]), meters: meters.rows.map(toMeter) };
  }

  async getMeter(id: string): Promise<MeterContext | undefined> {
    const { rows } = await this.sql.query<MeterJoinRow>(`${METER_WITH_CUSTOMER} WHERE m.id = $1`, [id]);
    return rows.length === 0 ? undefined : { meter: toMeter(rows[0]), customer: toCustomer(rows[0].customer) };
  }

  async setConcentratorStatus(id: string, online: boolean, at: Date): Promise<boolean> {
    const { rows } = await this.sql.query<{ known: boolean }>(SET_STATUS, [id, online, at]);
    return rows[0].known;
  }

  async listConcentrators(): Promise<ConcentratorState[]> {
    const { rows } = await this.sql.query<{ id: string; online: boolean | null; status_at: Date | null; meter_count: number }>(
      `SELECT k.id, k.online, k.status_at, (SELECT count(*)::int FROM meters m WHERE m.concentrator_id = k.id) AS meter_count
       FROM concentrators k ORDER BY k.id`,
    );
    return rows.map((r) => ({ id: r.id, online: r.online, statusAt: r.status_at, meterCount: r.meter_count }));
  }

  async fingerprint(): Promise<string> {
    const { rows } = await this.sql.query<{ fp: string }>(FINGERPRINT);
    return rows[0].fp;
  }

  async loadAll(): Promise<ArchiveSnapshot> {
    const meters = await this.sql.query<MeterJoinRow>(METER_WITH_CUSTOMER);
    const concentrators = await this.sql.query<{ id: string }>('SELECT id FROM concentrators');
    // One Customer object per customer, shared by its meters: the cache holds the whole archive.
    const customers = new Map<string, Customer>();
    const contexts = meters.rows.map((r) => {
      let customer = customers.get(r.customer_id);
      if (!customer) customers.set(r.customer_id, (customer = toCustomer(r.customer)));
      return { meter: toMeter(r), customer };
    });
    return { meters: contexts, concentrators: concentrators.rows.map((r) => r.id) };
  }
}

// The sum of every row's updated_at moves when any row is stamped again; the counts catch removals.
const FINGERPRINT = `SELECT concat_ws('/',
  (SELECT count(*) || ':' || coalesce(sum(extract(epoch FROM updated_at)), 0) FROM customers),
  (SELECT count(*) || ':' || coalesce(sum(extract(epoch FROM updated_at)), 0) FROM meters),
  (SELECT count(*) FROM concentrators)) AS fp`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
