-- Manual clear (domain.md 6.3): who cleared and why. A manually cleared occurrence stays closed while the
-- condition lasts: the store re-opens only on a fresh 'raise', i.e. after the rule observed NORMAL again.
ALTER TABLE alarms ADD COLUMN cleared_by text;
ALTER TABLE alarms ADD COLUMN clear_comment text;
ALTER TABLE alarms ADD COLUMN manual_clear boolean NOT NULL DEFAULT false;
-- Filters by rule and by time range, newest first.
CREATE INDEX alarms_rule_recent ON alarms (rule, start_ts DESC, id DESC);

-- Per-customer overrides (domain.md 3.1: resolved customer → class default): the fields of RuleSettings
-- that replace the customer's effective class setting for one rule.
CREATE TABLE rule_overrides (
  customer_id text NOT NULL,
  rule        text NOT NULL,
  params      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL,
  PRIMARY KEY (customer_id, rule)
);

-- Who changed which rule setting when, before and after (class profiles and customer overrides).
CREATE TABLE rule_settings_audit (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  scope   text NOT NULL CHECK (scope IN ('class', 'customer')),
  target  text NOT NULL,
  rule    text NOT NULL,
  action  text NOT NULL CHECK (action IN ('update', 'delete')),
  before  jsonb,
  after   jsonb
);
CREATE INDEX rule_settings_audit_recent ON rule_settings_audit (at DESC, id DESC);
