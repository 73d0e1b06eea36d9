-- restitch:step 7/7
-- restitch:kind check
-- restitch:title Every event is back as it was
--
-- Why: Compares every event with its backup.
-- Expect: ok = true on both rows.

SELECT
  'every backed-up event went through the restore' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) not processed yet' AS detail
FROM external_data.rs_example_oneshot_events_backup AS src
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_oneshot_events_undo_done AS done WHERE done.id = src.id)
UNION ALL
SELECT
  'every backed-up event has its old stitched and identifiers' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events differ from the backup' AS detail
FROM customer_events AS e
JOIN external_data.rs_example_oneshot_events_backup AS b ON b.id = e.id
WHERE e.stitched IS DISTINCT FROM b.stitched
  OR e.identifiers IS DISTINCT FROM b.identifiers;
