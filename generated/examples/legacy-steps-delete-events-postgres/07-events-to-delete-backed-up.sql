-- restitch:step 7/21
-- restitch:kind check
-- restitch:title The events to delete are backed up
--
-- Why: Nothing may be deleted that undo could not put back.
-- Expect: ok = true on every row.

SELECT
  'there are events to delete' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events backed up' AS detail
FROM temp_table.rs_example_legacy_delete_deleted_events_backup
UNION ALL
SELECT
  'every event to delete is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from the backup' AS detail
FROM public.customer_events
WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b WHERE b.id = customer_events.id);
