-- Rule settings per (customer class, rule) as data (domain.md 3.2); the defaults are seeded by code at start,
-- so the matrix lives in one place (src/rules/settings.ts) and edits here survive restarts.
CREATE TABLE rule_settings (
  class      text NOT NULL,
  rule       text NOT NULL,
  enabled    boolean NOT NULL,
  params     jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  PRIMARY KEY (class, rule)
);

-- Sustain/hysteresis counters per (meter, rule, phase) (domain.md 6.3: persist rule state), so a restart or
-- another worker continues where the last evaluation stopped.
CREATE TABLE rule_state (
  meter_id   text NOT NULL,
  rule       text NOT NULL,
  phase      text NOT NULL DEFAULT '',
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (meter_id, rule, phase)
);
