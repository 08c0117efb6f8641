-- Alarms in the ThingsBoard model (domain.md 6): ACTIVE/CLEARED x ACK/UNACK, start = first violating sample.
CREATE TABLE alarms (
  id          bigserial PRIMARY KEY,
  meter_id    text NOT NULL,
  customer_id text NOT NULL,
  rule        text NOT NULL,
  phase       text NOT NULL DEFAULT '',
  severity    text NOT NULL CHECK (severity IN ('CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE')),
  active      boolean NOT NULL,
  acknowledged boolean NOT NULL DEFAULT false,
  start_ts    timestamptz NOT NULL,
  last_ts     timestamptz NOT NULL,
  clear_ts    timestamptz,
  ack_ts      timestamptz,
  ack_by      text,
  ack_comment text,
  peak_value  double precision,
  threshold   double precision,
  details     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- One open alarm per (meter, rule, phase), whatever the concurrency or replays (domain.md decision 6).
CREATE UNIQUE INDEX alarms_one_open ON alarms (meter_id, rule, phase) WHERE active;
-- A replayed raise of an occurrence that has since cleared must not open it again.
CREATE INDEX alarms_occurrence ON alarms (meter_id, rule, phase, start_ts);
CREATE INDEX alarms_customer ON alarms (customer_id, active);
CREATE INDEX alarms_recent ON alarms (start_ts DESC, id DESC);

-- Audit of every transition (domain.md 6.3): raise, severity change, update, clear, acknowledge.
CREATE TABLE alarm_events (
  id       bigserial PRIMARY KEY,
  alarm_id bigint NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
  at       timestamptz NOT NULL DEFAULT now(),
  type     text NOT NULL,
  actor    text NOT NULL,
  detail   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alarm_events_alarm ON alarm_events (alarm_id, at);
