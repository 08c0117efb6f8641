import type { Logger } from 'pino';
import { isCustomerClass } from '../domain/customer-class.js';
import type { Sql } from '../db/sql.js';
import { DEFAULT_SETTINGS, defaultRows, fromStored, isRuleCode, toStored, type SettingsByClass } from './settings.js';

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
