-- restitch:step 15/17
-- restitch:kind check
-- restitch:title Every event is queued
--
-- Why: Proves Step 5 covered every event.
-- Expect: ok = true on every row.

SELECT
  'every event to clean is queued for stitching' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events not queued' AS detail
FROM temp_table.rs_example_legacy_events_to_clean AS c
WHERE NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_events_queued AS q WHERE q.id = c.id);
