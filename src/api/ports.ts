import type { Alarm } from '../domain/alarm.js';
import type { Customer, Meter, MeterContext } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { QuarantineStore } from '../ingest/quarantine.js';
import type { Registry } from 'prom-client';
import type { TelemetryStore } from '../telemetry/store.js';

/** What the HTTP API needs from the rest of the service; the composition root supplies the adapters. */
export interface ArchiveQueries {
  listCustomers(query: { classes?: CustomerClass[]; q?: string; page: number; pageSize: number }): Promise<{ items: (Customer & { meterCount: number })[]; total: number }>;
  getCustomer(id: string): Promise<(Customer & { meters: Meter[] }) | undefined>;
  getMeter(id: string): Promise<MeterContext | undefined>;
}

export interface AlarmFilter {
  state?: 'open' | 'cleared' | 'all';
  classes?: string[];
  severities?: string[];
  customerId?: string;
  meterId?: string;
  rule?: string;
  limit?: number;
}

export interface AlarmQueries {
  list(filter: AlarmFilter): Promise<Alarm[]>;
  get(id: string): Promise<Alarm | undefined>;
  openForCustomer(customerId: string): Promise<Alarm[]>;
  /** Undefined when there is no such alarm. */
  acknowledge(id: string, by: string, comment: string | null): Promise<{ change: string; alarm: Alarm } | undefined>;
}

export type { ImportOutcome as ArchiveImportResult } from '../archive/import.js';
import type { ImportOutcome } from '../archive/import.js';

export interface ApiDeps {
  archive: ArchiveQueries;
  alarms: AlarmQueries;
  telemetry: TelemetryStore;
  quarantine: QuarantineStore;
  importArchive(text: string, format: 'csv' | 'json'): Promise<ImportOutcome>;
  /** Alarm changes made through the API (acknowledge) go to the live stream like any other. */
  onAlarmChange(change: { change: string; alarm: Alarm }): void;
  /** Each dependency answers, for /readyz. */
  ready(): Promise<Record<string, 'ok' | string>>;
  metrics: Registry;
  dashboardsDir: string;
  uplotDir: string;
}
