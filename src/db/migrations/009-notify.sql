-- Alert subscribers (issue 3): webhook subscriptions, one row per delivery, and every attempt made.
CREATE TABLE notify_subscriptions (
  id          text PRIMARY KEY,
  url         text NOT NULL,
  -- Signs every request; returned once at creation, never again.
  secret      text NOT NULL,
  description text NOT NULL DEFAULT '',
  filter      jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The delivery id is the receiver's deduplication key and this table's primary key, so a re-run
-- rule job or a re-delivered queue job can never make a second delivery of the same alarm change.
CREATE TABLE notify_deliveries (
  id              text PRIMARY KEY,
  subscription_id text NOT NULL REFERENCES notify_subscriptions (id) ON DELETE CASCADE,
  alarm_id        text NOT NULL,
  change          text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  -- Attempts since creation or since the dead letter was last sent again: what the retry schedule counts.
  cycle_attempts  integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_latency_ms integer,
  last_error      text,
  -- Used by the embedded (no Redis) queue only: when the next attempt is due.
  next_attempt_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notify_deliveries_subscription ON notify_deliveries (subscription_id, created_at DESC);
CREATE INDEX notify_deliveries_due ON notify_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE notify_attempts (
  id          bigserial PRIMARY KEY,
  delivery_id text NOT NULL REFERENCES notify_deliveries (id) ON DELETE CASCADE,
  attempt     integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  status_code integer,
  latency_ms  integer NOT NULL,
  error       text
);
CREATE INDEX notify_attempts_delivery ON notify_attempts (delivery_id, attempt);
