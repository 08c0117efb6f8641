-- Alarms on something other than a meter (domain.md 6.2: the originator): NULL = the meter of meter_id;
-- 'concentrator:<id>' for one grouped collection alarm (C1) of a concentrator whose meters are all silent,
-- stored with meter_id = '' and customer_id = '' (it concerns many customers, so it links to none).
ALTER TABLE alarms ADD COLUMN originator text;
DROP INDEX alarms_one_open;
CREATE UNIQUE INDEX alarms_one_open ON alarms ((coalesce(originator, meter_id)), rule, phase) WHERE active;
DROP INDEX alarms_occurrence;
CREATE INDEX alarms_occurrence ON alarms ((coalesce(originator, meter_id)), rule, phase, start_ts);
