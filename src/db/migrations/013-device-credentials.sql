-- MQTT credentials (issue 7): one per meter or concentrator (username = client id = device id) and one per
-- alarm subscriber. Only a scrypt hash of the secret is kept (src/access/secret-hash.ts); the secret itself
-- is shown once, in the response that issues it.
CREATE TABLE device_credentials (
  device_id   text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('meter', 'concentrator', 'subscriber')),
  secret_hash text NOT NULL,
  -- Subscribers only: the alarm topic filters it may subscribe within (alarms/{class}/{customer}/{meter}).
  filters     text[] NOT NULL DEFAULT '{}',
  -- Raised by every rotation: a live session authenticated with an older version is closed.
  version     integer NOT NULL DEFAULT 1,
  issued_at   timestamptz NOT NULL DEFAULT now(),
  rotated_at  timestamptz NOT NULL DEFAULT now(),
  issued_by   text NOT NULL,
  revoked_at  timestamptz,
  revoked_by  text,
  -- Every process refreshes its cache from the rows changed since its last look.
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'subscriber' OR filters = '{}')
);
CREATE INDEX device_credentials_updated ON device_credentials (updated_at);
