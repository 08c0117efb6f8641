import type { Customer, Meter, ValuesSide, Wiring } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';

/** A customers row as PostgreSQL returns it (also the shape of to_jsonb(customers)). */
export interface CustomerRow {
  id: string;
  name: string;
  classes: string[];
  address: string;
  phone: string;
  account_manager: string;
  contract_kva: number | null;
  pf_standard: number | null;
  lat: number | null;
  lon: number | null;
}

export interface MeterRow {
  id: string;
  customer_id: string;
  concentrator_id: string | null;
  wiring: string;
  nominal_voltage_v: number;
  rated_current_a: number | null;
  ct_ratio: number;
  pt_ratio: number;
  values_side: string;
}

export const CUSTOMER_COLUMNS = 'id, name, classes, address, phone, account_manager, contract_kva, pf_standard, lat, lon';
export const METER_COLUMNS =
  'id, customer_id, concentrator_id, wiring, nominal_voltage_v, rated_current_a, ct_ratio, pt_ratio, values_side';

// The columns' CHECK constraints and the import's validation keep the text columns within their unions.
export function toCustomer(r: CustomerRow): Customer {
  return {
    id: r.id,
    name: r.name,
    classes: r.classes as CustomerClass[],
    address: r.address,
    phone: r.phone,
    accountManager: r.account_manager,
    contractKva: r.contract_kva,
    pfStandard: r.pf_standard,
    lat: r.lat,
    lon: r.lon,
  };
}

export function toMeter(r: MeterRow): Meter {
  return {
    id: r.id,
    customerId: r.customer_id,
    concentratorId: r.concentrator_id,
    wiring: r.wiring as Wiring,
    nominalVoltageV: r.nominal_voltage_v,
    ratedCurrentA: r.rated_current_a,
    ctRatio: r.ct_ratio,
    ptRatio: r.pt_ratio,
    valuesSide: r.values_side as ValuesSide,
  };
}
