-- Two nodes making the same day at once: the one that loses the race can also meet 'type "telemetry_load_..."
-- already exists' (duplicate_object, the table's row type), which 023 did not catch. Seen in CI as a failure of
-- "lets several writers make the same days at once". Same function, that error added.
CREATE OR REPLACE FUNCTION telemetry_ensure_days(kind text, days date[]) RETURNS void LANGUAGE plpgsql AS $$
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
      WHEN duplicate_table OR duplicate_object OR unique_violation THEN NULL;
      -- The day overlaps the partition of rows stored before partitioning (the one definition error these
      -- statements can meet), which takes its rows.
      WHEN invalid_object_definition THEN NULL;
    END;
  END LOOP;
END $$;
