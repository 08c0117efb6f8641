-- Every message or record that could not be accepted, with why. The id is the journal position
-- (plus the record index inside a concentrator batch), so replaying the journal never doubles a row.
CREATE TABLE quarantine (
  id            text PRIMARY KEY,
  received_at   timestamptz NOT NULL,
  topic         text NOT NULL,
  client_id     text,
  meter_id      text,
  reason        text NOT NULL,
  detail        text NOT NULL,
  payload       bytea NOT NULL,
  payload_bytes integer NOT NULL
);
CREATE INDEX quarantine_received_at ON quarantine (received_at DESC);
