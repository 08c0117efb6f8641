-- Rule state is written as whole snapshots of many meters at once and only ever read back whole by the engine:
-- json keeps the text as sent (no jsonb conversion on every write) and EXTERNAL storage skips compressing it.
ALTER TABLE rule_state ALTER COLUMN state TYPE json USING state::json;
ALTER TABLE rule_state ALTER COLUMN state SET STORAGE EXTERNAL;
