-- restitch:step 8/15
-- restitch:kind check
-- restitch:title Every stitched event is backed up
--
-- Why: Nothing may be reset that undo could not put back.
-- Expect: ok = true.

SELECT
  'every stitched event is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from the backup' AS detail
FROM customer_events AS e
WHERE (e.stitched IS NOT NULL OR e.identifiers IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_backup AS b WHERE b.id = e.id);
