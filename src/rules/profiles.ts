import type { CustomerClass } from '../domain/customer-class.js';
import type { OverrideUpdate } from './overrides.pg.js';
import type { ChangeCheck } from './overrides.js';
import type { AuditFilter, SettingsAuditEntry } from './settings-audit.pg.js';
import type { RuleCode, RuleOverrides, RuleSettings } from './settings.js';

/** Rule profiles per class and per-customer overrides, as the API manages them (profiles.pg.ts implements it). */
export interface RuleProfiles {
  /** Every class with every rule (stored, else the default). */
  all(): Promise<Record<CustomerClass, Record<RuleCode, RuleSettings>>>;
  updateClass(cls: CustomerClass, requested: Record<string, unknown>, by: string): Promise<ChangeCheck>;
  /** Undefined when the customer is not in the archive. */
  overrides(customerId: string): Promise<RuleOverrides | undefined>;
  putOverrides(customerId: string, requested: Record<string, unknown>, by: string): Promise<OverrideUpdate>;
  /** The rules whose override was removed. */
  deleteOverrides(customerId: string, rule: RuleCode | undefined, by: string): Promise<string[]>;
  audit(filter: AuditFilter): Promise<SettingsAuditEntry[]>;
}
