-- restitch:step 13/15
-- restitch:kind check
-- restitch:title Every backed-up event is reset
--
-- Why: Proves the batch step covered every event before CPS is enabled.
-- Expect: ok = true on both rows.

SELECT
  'every backed-up event went through the reset' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) not processed yet' AS detail
FROM external_data.rs_example_full_reset_events_backup AS src
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_reset_done AS done WHERE done.id = src.id)
UNION ALL
SELECT
  'no backed-up event is still stitched' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events still stitched' AS detail
FROM customer_events AS e
JOIN external_data.rs_example_full_reset_events_backup AS b ON b.id = e.id
WHERE e.stitched IS NOT NULL OR e.identifiers IS NOT NULL;
