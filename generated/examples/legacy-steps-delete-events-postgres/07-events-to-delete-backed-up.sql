-- restitch:step 7/21
-- restitch:kind check
-- restitch:title The events to delete are counted and backed up, and no entity loses all its events
--
-- Why: Nothing may be deleted that undo could not put back, and Step 0 deletes a subset: an
--   entity whose every event matched --delete-where would be purged, not re-stitched.
-- Expect: ok = true on every row.

SELECT
  'there are events to delete' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events of the chosen entities match --delete-where and are backed up' AS detail
FROM temp_table.rs_example_legacy_delete_deleted_events_backup
UNION ALL
SELECT
  'every event to delete is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from the backup' AS detail
FROM public.customer_events
WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b WHERE b.id = customer_events.id)
UNION ALL
SELECT
  'every backed-up event that still exists matches --delete-where now' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' backed-up events the condition no longer chooses (e.g. '
    || coalesce(min(b.id), 'none')
    || '): a backup of another version of this runbook, taken with another --delete-where; Step 0 would delete them' AS detail
FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b
WHERE EXISTS (SELECT 1 FROM cdp_ce.customer_events AS ce WHERE ce.id = b.id)
  AND NOT EXISTS (
    SELECT 1 FROM public.customer_events
    WHERE customer_events.id = b.id
      AND customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
  )
UNION ALL
SELECT
  'no entity loses every event (Step 0 deletes a subset, the rest is re-stitched)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities would keep no event; narrow --delete-where' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e
WHERE NOT EXISTS (
  SELECT 1 FROM public.customer_events
  WHERE customer_events.customer_entity_id::uuid = e.customer_entity_id
    AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b WHERE b.id = customer_events.id)
);
