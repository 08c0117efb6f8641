-- People over HTTP and WebSocket (issue 7): API tokens, dashboard users and dashboard sessions.
-- Secrets are never stored: tokens and sessions as the SHA-256 of their 256-bit random secret (checked on
-- every request, so a fast digest is right), passwords as scrypt hashes (src/access/secret-hash.ts).

CREATE TABLE api_tokens (
  -- The <id> of lw_<id>_<secret>: not secret, what logs, audits and ownership refer to.
  id            text PRIMARY KEY,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'viewer', 'integrator')),
  secret_sha256 text NOT NULL,
  -- The person (token id or username) who created it; NULL for the bootstrap admin token.
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
-- Bootstrap asks "is there a live admin token?" at every start.
CREATE INDEX api_tokens_live ON api_tokens (role) WHERE revoked_at IS NULL;

CREATE TABLE users (
  username      text PRIMARY KEY,
  role          text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'viewer', 'integrator')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);

-- A dashboard login, made with a token or a password. The role is not copied here: it is read from the token or
-- user at each check, so a revoked token, a disabled user or a changed role holds on every node at once.
CREATE TABLE sessions (
  id            text PRIMARY KEY,
  secret_sha256 text NOT NULL,
  token_id      text REFERENCES api_tokens (id) ON DELETE CASCADE,
  username      text REFERENCES users (username) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  CHECK ((token_id IS NULL) <> (username IS NULL))
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Who created a webhook subscription (token id or username): an integrator sees and changes only its own.
-- NULL for subscriptions made before this migration (only admins see those).
ALTER TABLE notify_subscriptions ADD COLUMN owner text;
