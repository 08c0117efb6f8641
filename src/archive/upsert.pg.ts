import type { Customer, Meter } from '../domain/archive.js';
import type { Sql } from '../db/sql.js';

/** Rows per statement: one round trip for most archives, bounded message size for the largest. */
const CHUNK_ROWS = 5000;

export interface UpsertCounts {
  created: number;
  updated: number;
}

// Each statement takes one array per column and unnests them: a batch is one INSERT, never one per row.
// The WHERE on DO UPDATE leaves unchanged rows (and their updated_at) alone, so "updated" means changed;
// xmax = 0 marks a freshly inserted row.
const UPSERT_CONCENTRATORS = `
  INSERT INTO concentrators (id) SELECT unnest($1::text[])
  ON CONFLICT (id) DO NOTHING
  RETURNING true AS created`;

const UPSERT_CUSTOMERS = `
  INSERT INTO customers AS c (id, name, classes, address, phone, account_manager, contract_kva, pf_standard, lat, lon)
  SELECT id, name, string_to_array(classes, '|'), address, phone, account_manager, contract_kva, pf_standard, lat, lon
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::float8[], $8::float8[], $9::float8[], $10::float8[])
    AS t (id, name, classes, address, phone, account_manager, contract_kva, pf_standard, lat, lon)
  ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name, classes = EXCLUDED.classes, address = EXCLUDED.address, phone = EXCLUDED.phone,
    account_manager = EXCLUDED.account_manager, contract_kva = EXCLUDED.contract_kva,
    pf_standard = EXCLUDED.pf_standard, lat = EXCLUDED.lat, lon = EXCLUDED.lon, updated_at = now()
  WHERE (c.name, c.classes, c.address, c.phone, c.account_manager, c.contract_kva, c.pf_standard, c.lat, c.lon)
    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.classes, EXCLUDED.address, EXCLUDED.phone, EXCLUDED.account_manager,
                      EXCLUDED.contract_kva, EXCLUDED.pf_standard, EXCLUDED.lat, EXCLUDED.lon)
  RETURNING (xmax = 0) AS created`;

const UPSERT_METERS = `
  INSERT INTO meters AS m (id, customer_id, concentrator_id, wiring, nominal_voltage_v, rated_current_a, ct_ratio, pt_ratio, values_side)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                       $7::float8[], $8::float8[], $9::text[])
  ON CONFLICT (id) DO UPDATE SET
    customer_id = EXCLUDED.customer_id, concentrator_id = EXCLUDED.concentrator_id, wiring = EXCLUDED.wiring,
    nominal_voltage_v = EXCLUDED.nominal_voltage_v, rated_current_a = EXCLUDED.rated_current_a,
    ct_ratio = EXCLUDED.ct_ratio, pt_ratio = EXCLUDED.pt_ratio, values_side = EXCLUDED.values_side, updated_at = now()
  WHERE (m.customer_id, m.concentrator_id, m.wiring, m.nominal_voltage_v, m.rated_current_a, m.ct_ratio, m.pt_ratio, m.values_side)
    IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.concentrator_id, EXCLUDED.wiring, EXCLUDED.nominal_voltage_v,
                      EXCLUDED.rated_current_a, EXCLUDED.ct_ratio, EXCLUDED.pt_ratio, EXCLUDED.values_side)
  RETURNING (xmax = 0) AS created`;

export function upsertConcentrators(tx: Sql, ids: readonly string[]): Promise<UpsertCounts> {
  return inChunks(tx, ids, UPSERT_CONCENTRATORS, (chunk) => [chunk]);
}

export function upsertCustomers(tx: Sql, customers: readonly Customer[]): Promise<UpsertCounts> {
  return inChunks(tx, customers, UPSERT_CUSTOMERS, (chunk) => [
    chunk.map((c) => c.id),
    chunk.map((c) => c.name),
    // Class codes never contain "|" (CUSTOMER_CLASSES), and a text[][] would not unnest row by row.
    chunk.map((c) => c.classes.join('|')),
    chunk.map((c) => c.address),
    chunk.map((c) => c.phone),
    chunk.map((c) => c.accountManager),
    chunk.map((c) => c.contractKva),
    chunk.map((c) => c.pfStandard),
    chunk.map((c) => c.lat),
    chunk.map((c) => c.lon),
  ]);
}

export function upsertMeters(tx: Sql, meters: readonly Meter[]): Promise<UpsertCounts> {
  return inChunks(tx, meters, UPSERT_METERS, (chunk) => [
    chunk.map((m) => m.id),
    chunk.map((m) => m.customerId),
    chunk.map((m) => m.concentratorId),
    chunk.map((m) => m.wiring),
    chunk.map((m) => m.nominalVoltageV),
    chunk.map((m) => m.ratedCurrentA),
    chunk.map((m) => m.ctRatio),
    chunk.map((m) => m.ptRatio),
    chunk.map((m) => m.valuesSide),
  ]);
}

async function inChunks<T>(tx: Sql, items: readonly T[], text: string, params: (chunk: readonly T[]) => unknown[]): Promise<UpsertCounts> {
  const counts = { created: 0, updated: 0 };
  for (let i = 0; i < items.length; i += CHUNK_ROWS) {
    const { rows } = await tx.query<{ created: boolean }>(text, params(items.slice(i, i + CHUNK_ROWS)));
    for (const row of rows) counts[row.created ? 'created' : 'updated']++;
  }
  return counts;
}
