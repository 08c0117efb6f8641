-- Telemetry partitioned by UTC day. A (meter_id, ts) key is written one leaf per meter and kind at a time (a
-- collection pass sends every meter's next point in turn), so in one big table the pages being written spread over
-- the whole index: 198-411 MB after a bench run, far beyond shared_buffers, and PostgreSQL spent two to four
-- times the CPU per row of a COPY into an empty table reading and evicting them. In day partitions the pages written
-- are those of the days being collected, and old days can be detached or dropped whole.
--
-- Partitions are made on demand by telemetry_ensure_days (the store calls it for days it has not seen; a bulk
-- loader calls it before COPY, with a range: SELECT telemetry_ensure_days('load', '2025-06-01', '2025-06-30')).
-- Rows stored before this migration stay in one partition covering everything up to the end of their last day,
-- attached as it is: no rows are copied.

-- A day is made as a table of its own, then attached: CREATE TABLE ... PARTITION OF would hold an ACCESS EXCLUSIVE
-- lock on the whole table (every reader and writer of that kind waits), ATTACH PARTITION only a SHARE UPDATE
-- EXCLUSIVE one, which lets both go on.
CREATE FUNCTION telemetry_ensure_days(kind text, days date[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  parent regclass := ('telemetry_' || kind)::regclass;
  ns text := (SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = parent);
  part text;
  d date;
BEGIN
  FOREACH d IN ARRAY days LOOP
    part := format('%s.%I', ns, 'telemetry_' || kind || '_' || to_char(d, 'YYYYMMDD'));
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    BEGIN
      EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING ALL)', part, parent);
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
        parent, part, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
    EXCEPTION
      -- Another node made it meanwhile.
      WHEN duplicate_table OR unique_violation THEN NULL;
      -- The day overlaps the partition of rows stored before partitioning (the one definition error these
      -- statements can meet), which takes its rows.
      WHEN invalid_object_definition THEN NULL;
    END;
  END LOOP;
END $$;

CREATE FUNCTION telemetry_ensure_days(kind text, first_day date, last_day date) RETURNS void LANGUAGE sql AS $$
  SELECT telemetry_ensure_days(kind, ARRAY(SELECT generate_series(first_day, last_day, interval '1 day')::date))
$$;

DO $$
DECLARE
  kind text;
  last_day timestamptz;
BEGIN
  FOREACH kind IN ARRAY ARRAY['voltage', 'current', 'load', 'reading'] LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', 'telemetry_' || kind, 'telemetry_' || kind || '_before_days');
    EXECUTE format('ALTER INDEX %I RENAME TO %I', 'telemetry_' || kind || '_pkey', 'telemetry_' || kind || '_before_days_pkey');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS, PRIMARY KEY (meter_id, ts)) PARTITION BY RANGE (ts)',
      'telemetry_' || kind, 'telemetry_' || kind || '_before_days');
    EXECUTE format('SELECT max(ts) FROM %I', 'telemetry_' || kind || '_before_days') INTO last_day;
    IF last_day IS NULL THEN
      EXECUTE format('DROP TABLE %I', 'telemetry_' || kind || '_before_days');
    ELSE
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)',
        'telemetry_' || kind, 'telemetry_' || kind || '_before_days',
        (date_trunc('day', last_day AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC');
    END IF;
  END LOOP;
END $$;
