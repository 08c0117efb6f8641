import type { CustomerClass } from './customer-class.js';

/** Wiring modes (domain.md 1.5): which voltage and current channels a meter has. */
export const WIRINGS = ['1P', '3P3W', '3P4W'] as const;
export type Wiring = (typeof WIRINGS)[number];

export type ValuesSide = 'secondary' | 'primary';

export interface Customer {
  id: string;
  name: string;
  classes: CustomerClass[];
  address: string;
  phone: string;
  accountManager: string;
  contractKva: number | null;
  pfStandard: number | null;
  lat: number | null;
  lon: number | null;
}

export interface Meter {
  id: string;
  customerId: string;
  concentratorId: string | null;
  wiring: Wiring;
  /** Primary nominal voltage: line voltage for three-phase (380, 10000), phase voltage for 1P (220). */
  nominalVoltageV: number;
  ratedCurrentA: number | null;
  ctRatio: number;
  ptRatio: number;
  valuesSide: ValuesSide;
}

/** A meter joined with what the hot path needs of its customer. */
export interface MeterContext {
  meter: Meter;
  customer: Customer;
}
