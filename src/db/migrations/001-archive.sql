-- Customer archive (domain.md 1.4, 1.6): who is behind each meter and how to turn its values into primary values.
CREATE TABLE customers (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  classes         text[] NOT NULL,
  address         text NOT NULL DEFAULT '',
  phone           text NOT NULL DEFAULT '',
  account_manager text NOT NULL DEFAULT '',
  contract_kva    double precision,
  pf_standard     double precision,
  lat             double precision,
  lon             double precision,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE concentrators (
  id         text PRIMARY KEY,
  online     boolean,
  status_at  timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meters (
  id                text PRIMARY KEY,
  customer_id       text NOT NULL REFERENCES customers (id),
  concentrator_id   text REFERENCES concentrators (id),
  wiring            text NOT NULL CHECK (wiring IN ('1P', '3P3W', '3P4W')),
  nominal_voltage_v double precision NOT NULL CHECK (nominal_voltage_v > 0),
  rated_current_a   double precision,
  ct_ratio          double precision NOT NULL DEFAULT 1 CHECK (ct_ratio > 0),
  pt_ratio          double precision NOT NULL DEFAULT 1 CHECK (pt_ratio > 0),
  values_side       text NOT NULL CHECK (values_side IN ('secondary', 'primary')),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meters_customer ON meters (customer_id);
CREATE INDEX meters_concentrator ON meters (concentrator_id);
