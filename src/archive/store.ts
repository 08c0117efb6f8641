import type { Customer, Meter, MeterContext } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { Archive } from './validate.js';

/**
 * What one import did. created/updated count customers, meters and concentrators together; a record
 * the file repeats unchanged is neither. Meters absent from the file are kept: an import only adds and updates.
 */
export interface ImportCounts {
  customers: number;
  meters: number;
  concentrators: number;
  created: number;
  updated: number;
}

export interface CustomerQuery {
  /** Customers in any of these classes. */
  classes?: CustomerClass[];
  /** Case-insensitive substring of the customer id, name, address or one of its meter ids. */
  q?: string;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export type CustomerSummary = Customer & { meterCount: number };

export interface CustomerPage {
  items: CustomerSummary[];
  total: number;
}

export interface ConcentratorState {
  id: string;
  /** null until the concentrator first reports on concentrators/{id}/status. */
  online: boolean | null;
  statusAt: Date | null;
  meterCount: number;
}

/** Everything the ingest hot path looks up, loaded at once. */
export interface ArchiveSnapshot {
  meters: MeterContext[];
  concentrators: string[];
}

export interface ArchiveStore {
  /** All or nothing: one transaction. */
  importArchive(archive: Archive): Promise<ImportCounts>;
  listCustomers(query: CustomerQuery): Promise<CustomerPage>;
  getCustomer(id: string): Promise<(Customer & { meters: Meter[] }) | undefined>;
  getMeter(id: string): Promise<MeterContext | undefined>;
  /** Ignores a status older than the one stored (retained or late messages); false when the id is not in the archive. */
  setConcentratorStatus(id: string, online: boolean, at: Date): Promise<boolean>;
  listConcentrators(): Promise<ConcentratorState[]>;
  loadAll(): Promise<ArchiveSnapshot>;
  /**
   * Changes whenever a customer or meter row is added, changed (the import stamps updated_at) or removed, or
   * a concentrator is added or removed: one cheap query that tells whether loadAll() would load anything new.
   */
  fingerprint(): Promise<string>;
}
