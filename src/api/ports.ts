import type { DeviceCredentials } from '../access/credentials.js';
import type { AlarmStore } from '../alarms/store.js';
import type { PeopleDeps } from './auth.js';
import type { ImportOutcome } from '../archive/import.js';
import type { ArchiveStore } from '../archive/store.js';
import type { AlarmChange } from '../alarms/store.js';
import type { Registry } from 'prom-client';
import type { QuarantineStore } from '../ingest/quarantine.js';
import type { NotifyApi } from '../notify/service.js';
import type { OverviewQueries } from './overview.js';
import type { RuleProfiles } from '../rules/profiles.js';
import type { TelemetryStore } from '../telemetry/store.js';

/** What the HTTP API needs from the rest of the service; the composition root supplies the adapters. */
export type ArchiveQueries = Pick<ArchiveStore, 'listCustomers' | 'getCustomer' | 'getMeter'>;
export type AlarmQueries = Pick<AlarmStore, 'list' | 'get' | 'openForCustomer' | 'acknowledge' | 'clear' | 'history'>;

export interface ApiDeps {
  archive: ArchiveQueries;
  alarms: AlarmQueries;
  telemetry: TelemetryStore;
  quarantine: QuarantineStore;
  /** Rule profiles per class and per-customer overrides (changes take effect at the next evaluation). */
  ruleProfiles: RuleProfiles;
  importArchive(text: string, format: 'csv' | 'json'): Promise<ImportOutcome>;
  /** MQTT credentials of devices and alarm subscribers (issue, rotate, revoke). */
  credentials: DeviceCredentials;
  /** Alarm changes made through the API (acknowledge, manual clear) go to the live stream like any other. */
  onAlarmChange(change: AlarmChange): void;
  /** Webhook subscriptions, their delivery log and dead letters. */
  notify: NotifyApi;
  /** Class load curves and today's counts for the overview page; days are cut in utilityTz. */
  overview: OverviewQueries;
  utilityTz: string;
  /** Each dependency answers, for /readyz. */
  ready(): Promise<Record<string, 'ok' | string>>;
  metrics: Registry;
  /** Tokens, users and sessions: every /api route and /ws checks who calls (src/api/auth.ts). */
  people: PeopleDeps;
  dashboardsDir: string;
  uplotDir: string;
}
