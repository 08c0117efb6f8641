import type { Logger } from 'pino';
import type { Sql } from '../db/sql.js';
import { deleteOverrides, getOverrides, putOverrides } from './overrides.pg.js';
import type { RuleProfiles } from './profiles.js';
import { listSettingsChanges } from './settings-audit.pg.js';
import { loadProfiles, updateClassProfile } from './settings.pg.js';

/**
 * Rule profiles and overrides on PostgreSQL for the API. onChange runs after every stored change so this
 * process's rule engine drops its settings cache at once; other processes see it when theirs expires.
 */
export function createRuleProfilesPg(deps: { sql: Sql; log: Logger; onChange: () => void }): RuleProfiles {
  const { sql, log, onChange } = deps;
  const changed = <T extends { ok: boolean }>(r: T): T => {
    if (r.ok) onChange();
    return r;
  };
  return {
    all: () => loadProfiles(sql, log),
    updateClass: async (cls, requested, by) => changed(await updateClassProfile(sql, cls, requested, by, log)),
    overrides: (customerId) => getOverrides(sql, customerId),
    putOverrides: async (customerId, requested, by) => changed(await putOverrides(sql, customerId, requested, by, log)),
    async deleteOverrides(customerId, rule, by) {
      const removed = await deleteOverrides(sql, customerId, rule, by);
      if (removed.length > 0) onChange();
      return removed;
    },
    audit: (filter) => listSettingsChanges(sql, filter),
  };
}
