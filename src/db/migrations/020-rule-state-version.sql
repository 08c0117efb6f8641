-- Rule state is cached by whoever evaluates a meter and written back as snapshots; version counts the writes, so
-- a cache entry is trusted only while the row still has the version it was read or written with.
ALTER TABLE rule_state ADD COLUMN version bigint NOT NULL DEFAULT 0;
