-- A rule state snapshot (~4.3 KB of JSON for a 3P4W meter) compresses to under 1 KB: stored compressed and inline,
-- below the 2 KB TOAST threshold, a snapshot write is one heap tuple instead of a row plus TOAST chunks, and with
-- room left on each page it is a HOT update. 021's EXTERNAL storage skipped compression to save CPU, but a write of
-- 10,000 meters' snapshots then took 50-52 MB of WAL and left 56 MB of dead rows and TOAST for vacuum each time;
-- compressed with lz4 and fillfactor 50, 2 MB of WAL (10 MB the first time), the table steady at 21 MB, and
-- 713-754 ms instead of 849-941 (`node --import tsx bench/state-write.ts external lz4 pglz`). PostgreSQL builds
-- without lz4 (the embedded PGlite) compress with pglz, the default.
ALTER TABLE rule_state ALTER COLUMN state SET STORAGE EXTENDED;
DO $$
BEGIN
  ALTER TABLE rule_state ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;
ALTER TABLE rule_state SET (fillfactor = 50);
