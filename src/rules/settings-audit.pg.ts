import type { Sql } from '../db/sql.js';

/** One change of a rule setting: who, when, which class profile or customer override, before and after. */
export interface SettingsAuditEntry {
  id: string;
  at: string;
  actor: string;
  scope: 'class' | 'customer';
  /** The class code or the customer id. */
  target: string;
  rule: string;
  action: 'update' | 'delete';
  before: unknown;
  after: unknown;
}

export type NewAuditEntry = Omit<SettingsAuditEntry, 'id' | 'at'>;

/** Written in the transaction of the change itself, so no change goes unrecorded. */
export async function recordSettingsChanges(tx: Sql, entries: readonly NewAuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO rule_settings_audit (actor, scope, target, rule, action, before, after)
     SELECT e->>'actor', e->>'scope', e->>'target', e->>'rule', e->>'action', e->'before', e->'after'
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`,
    [JSON.stringify(entries.map((e) => ({ ...e, before: e.before ?? null, after: e.after ?? null })))],
  );
}

export interface AuditFilter {
  scope?: 'class' | 'customer';
  target?: string;
  rule?: string;
  /** Entries older than this id (paging). */
  beforeId?: string;
  limit: number;
}

/** Newest first. */
export async function listSettingsChanges(sql: Sql, f: AuditFilter): Promise<SettingsAuditEntry[]> {
  const res = await sql.query<{ id: string; at: Date | string; actor: string; scope: 'class' | 'customer'; target: string; rule: string; action: 'update' | 'delete'; before: unknown; after: unknown }>(
    // a.id, not id: a bare name in ORDER BY is the output column, here the id as text ('9' after '10').
    `SELECT a.id::text AS id, a.at, a.actor, a.scope, a.target, a.rule, a.action, a.before, a.after FROM rule_settings_audit a
     WHERE ($1::text IS NULL OR a.scope = $1) AND ($2::text IS NULL OR a.target = $2) AND ($3::text IS NULL OR a.rule = $3)
       AND ($4::bigint IS NULL OR a.id < $4::bigint)
     ORDER BY a.id DESC LIMIT $5`,
    [f.scope ?? null, f.target ?? null, f.rule ?? null, f.beforeId ?? null, f.limit],
  );
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return res.rows.map((r) => ({ ...r, at: new Date(r.at).toISOString(), before: json(r.before), after: json(r.after) }));
}
