import type { Logger } from 'pino';
import { CUSTOMER_CLASSES, isCustomerClass, type CustomerClass } from '../domain/customer-class.js';
import type { Sql } from '../db/sql.js';
import { checkRuleChanges, type ChangeCheck } from './overrides.js';
import { recordSettingsChanges } from './settings-audit.pg.js';
import {
  DEFAULT_SETTINGS, defaultRows, fromStored, isRuleCode, RULES, toStored, type RuleCode, type RuleSettings, type SettingsByClass,
} from './settings.js';

/** Inserts the default matrix for every (class, rule) not in rule_settings yet; edited rows are kept. */
export async function seedDefaultSettings(sql: Sql): Promise<number> {
  const rows = defaultRows().map((r) => ({
    class: r.customerClass, rule: r.rule, enabled: r.settings.enabled, params: toStored(r.settings),
  }));
  const res = await sql.query(
    `INSERT INTO rule_settings (class, rule, enabled, params, updated_by)
     SELECT e->>'class', e->>'rule', (e->>'enabled')::boolean, e->'params', 'defaults'
     FROM jsonb_array_elements($1::jsonb) e
     ON CONFLICT (class, rule) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return res.rowCount;
}

/** Every stored row as settings; unknown classes or rules are skipped, malformed rows fall back to the default. */
export async function loadSettings(sql: Sql, log: Logger): Promise<SettingsByClass> {
  const res = await sql.query<{ class: string; rule: string; enabled: boolean; params: unknown }>(
    'SELECT class, rule, enabled, params FROM rule_settings',
  );
  const out: SettingsByClass = {};
  for (const row of res.rows) {
    if (!isCustomerClass(row.class) || !isRuleCode(row.rule)) continue;
    const fallback = DEFAULT_SETTINGS[row.class][row.rule];
    const params = typeof row.params === 'string' ? JSON.parse(row.params) : row.params;
    const parsed = fromStored(row.enabled, params, fallback);
    if (!parsed) log.warn({ class: row.class, rule: row.rule }, 'malformed rule settings, using the default');
    (out[row.class] ??= {})[row.rule] = parsed ?? fallback;
  }
  return out;
}

/** Every class with every rule: the stored setting, or the default where no row exists yet. */
export async function loadProfiles(sql: Sql, log: Logger): Promise<Record<CustomerClass, Record<RuleCode, RuleSettings>>> {
  const stored = await loadSettings(sql, log);
  const out = {} as Record<CustomerClass, Record<RuleCode, RuleSettings>>;
  for (const cls of CUSTOMER_CLASSES) {
    out[cls] = {} as Record<RuleCode, RuleSettings>;
    for (const rule of RULES) out[cls][rule] = stored[cls]?.[rule] ?? DEFAULT_SETTINGS[cls][rule];
  }
  return out;
}

/**
 * Applies requested per-rule changes to one class profile: each merged onto the current setting, validated,
 * written and audited in one transaction (row locks, so two editors cannot lose each other's change).
 */
export async function updateClassProfile(
  sql: Sql,
  cls: CustomerClass,
  requested: Record<string, unknown>,
  by: string,
  log: Logger,
): Promise<ChangeCheck> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM rule_settings WHERE class = $1 FOR UPDATE', [cls]);
    const current = (await loadProfiles(tx, log))[cls];
    const check = checkRuleChanges(requested, (rule) => current[rule]);
    if (!check.ok) return check;
    const rows = Object.entries(check.merged).map(([rule, s]) => ({ rule, enabled: s.enabled, params: toStored(s) }));
    await tx.query(
      `INSERT INTO rule_settings (class, rule, enabled, params, updated_at, updated_by)
       SELECT $1, e->>'rule', (e->>'enabled')::boolean, e->'params', now(), $2 FROM jsonb_array_elements($3::jsonb) e
       ON CONFLICT (class, rule) DO UPDATE SET enabled = EXCLUDED.enabled, params = EXCLUDED.params,
         updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [cls, by, JSON.stringify(rows)],
    );
    await recordSettingsChanges(tx, Object.entries(check.merged).map(([rule, after]) => ({
      actor: by, scope: 'class' as const, target: cls, rule, action: 'update' as const, before: current[rule as RuleCode], after,
    })));
    return check;
  });
}
