-- One table per kind, keyed by (meter, ts): a re-sent sample can never become a second row.
-- Values are primary; multiplier is the factor that was applied (1 when the meter sent primary values).
CREATE TABLE telemetry_voltage (
  meter_id   text NOT NULL,
  ts         timestamptz NOT NULL,
  a          double precision,
  b          double precision,
  c          double precision,
  multiplier double precision NOT NULL,
  PRIMARY KEY (meter_id, ts)
);

CREATE TABLE telemetry_current (
  meter_id   text NOT NULL,
  ts         timestamptz NOT NULL,
  a          double precision,
  b          double precision,
  c          double precision,
  multiplier double precision NOT NULL,
  PRIMARY KEY (meter_id, ts)
);

CREATE TABLE telemetry_load (
  meter_id   text NOT NULL,
  ts         timestamptz NOT NULL,
  p          double precision,
  q          double precision,
  pf         double precision,
  multiplier double precision NOT NULL,
  PRIMARY KEY (meter_id, ts)
);

-- Daily-frozen registers, stamped with the freeze instant (domain.md decision 2).
CREATE TABLE telemetry_reading (
  meter_id   text NOT NULL,
  ts         timestamptz NOT NULL,
  total      double precision,
  sharp      double precision,
  peak       double precision,
  flat       double precision,
  valley     double precision,
  reverse    double precision,
  multiplier double precision NOT NULL,
  PRIMARY KEY (meter_id, ts)
);
