import type { Logger } from 'pino';
import { isCustomerClass, type CustomerClass } from '../domain/customer-class.js';
import type { Sql } from '../db/sql.js';
import { checkRuleChanges, type ChangeCheck } from './overrides.js';
import { recordSettingsChanges } from './settings-audit.pg.js';
import { loadProfiles } from './settings.pg.js';
import { DEFAULT_SETTINGS, effectiveSettings, isRuleCode, type RuleCode, type RuleOverrides, type RuleSettings } from './settings.js';

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/** The per-customer overrides of these customers (domain.md 3.1), one query; customers without any are absent. */
export async function loadOverrides(sql: Sql, customerIds: readonly string[]): Promise<Map<string, RuleOverrides>> {
  const out = new Map<string, RuleOverrides>();
  if (customerIds.length === 0) return out;
  const res = await sql.query<{ customer_id: string; rule: string; params: unknown }>(
    'SELECT customer_id, rule, params FROM rule_overrides WHERE customer_id = ANY($1::text[])',
    [customerIds],
  );
  for (const r of res.rows) {
    if (!isRuleCode(r.rule)) continue;
    const byRule = out.get(r.customer_id) ?? {};
    byRule[r.rule] = parse(r.params) as Partial<RuleSettings>;
    out.set(r.customer_id, byRule);
  }
  return out;
}

export type OverrideUpdate = ChangeCheck | { ok: false; reason: 'customer-not-found' };

/**
 * The setting an override of `rule` applies to, as the engine resolves it (effectiveSettings): the customer's
 * merged class setting, or the default of its first class when no class has the rule enabled.
 */
function overrideBase(classes: readonly CustomerClass[], rule: RuleCode, profiles: Awaited<ReturnType<typeof loadProfiles>>): RuleSettings {
  return effectiveSettings(classes, rule, profiles) ?? DEFAULT_SETTINGS[classes[0] ?? 'DEDICATED'][rule];
}

/**
 * Replaces the override of each rule named in `requested` (rules not named keep theirs), after validating
 * each on top of the customer's class setting; written and audited in one transaction.
 */
export async function putOverrides(sql: Sql, customerId: string, requested: Record<string, unknown>, by: string, log: Logger): Promise<OverrideUpdate> {
  return sql.transaction(async (tx): Promise<OverrideUpdate> => {
    const customer = await tx.query<{ classes: string[] }>('SELECT classes FROM customers WHERE id = $1', [customerId]);
    if (!customer.rows[0]) return { ok: false, reason: 'customer-not-found' };
    const classes = customer.rows[0].classes.filter(isCustomerClass);
    const profiles = await loadProfiles(tx, log);
    const check = checkRuleChanges(requested, (rule) => overrideBase(classes, rule, profiles));
    if (!check.ok) return check;
    const before = (await lockOverrides(tx, customerId)) ?? {};
    const rows = Object.entries(check.changes).map(([rule, params]) => ({ rule, params }));
    await tx.query(
      `INSERT INTO rule_overrides (customer_id, rule, params, updated_at, updated_by)
       SELECT $1, e->>'rule', e->'params', now(), $2 FROM jsonb_array_elements($3::jsonb) e
       ON CONFLICT (customer_id, rule) DO UPDATE SET params = EXCLUDED.params, updated_at = EXCLUDED.updated_at,
         updated_by = EXCLUDED.updated_by`,
      [customerId, by, JSON.stringify(rows)],
    );
    await recordSettingsChanges(tx, rows.map((r) => ({
      actor: by, scope: 'customer' as const, target: customerId, rule: r.rule, action: 'update' as const,
      before: before[r.rule as RuleCode] ?? null, after: r.params,
    })));
    return check;
  });
}

async function lockOverrides(tx: Sql, customerId: string): Promise<RuleOverrides | undefined> {
  const res = await tx.query<{ rule: string; params: unknown }>(
    'SELECT rule, params FROM rule_overrides WHERE customer_id = $1 FOR UPDATE',
    [customerId],
  );
  if (res.rows.length === 0) return undefined;
  return Object.fromEntries(res.rows.map((r) => [r.rule, parse(r.params)])) as RuleOverrides;
}

/** Removes the override of one rule, or all of the customer's; returns the rules removed (audited). */
export async function deleteOverrides(sql: Sql, customerId: string, rule: RuleCode | undefined, by: string): Promise<string[]> {
  return sql.transaction(async (tx) => {
    const res = await tx.query<{ rule: string; params: unknown }>(
      'DELETE FROM rule_overrides WHERE customer_id = $1 AND ($2::text IS NULL OR rule = $2) RETURNING rule, params',
      [customerId, rule ?? null],
    );
    await recordSettingsChanges(tx, res.rows.map((r) => ({
      actor: by, scope: 'customer' as const, target: customerId, rule: r.rule, action: 'delete' as const,
      before: parse(r.params), after: null,
    })));
    return res.rows.map((r) => r.rule).sort();
  });
}

/** One customer's overrides; undefined when the customer is not in the archive. */
export async function getOverrides(sql: Sql, customerId: string): Promise<RuleOverrides | undefined> {
  const customer = await sql.query('SELECT 1 FROM customers WHERE id = $1', [customerId]);
  if (customer.rows.length === 0) return undefined;
  return (await loadOverrides(sql, [customerId])).get(customerId) ?? {};
}
