-- restitch:step 6/21
-- restitch:kind change
-- restitch:title Back up the events Step 0 deletes (whole rows)
--
-- Why: Deleted events can only come back from a copy of every column.
-- Expect: INSERT succeeds; a second run adds nothing.

-- Whole rows, every column, of the events Step 0 deletes. Runs once: the backup is filled in
-- one transaction, and a second run finds it filled and adds nothing.
INSERT INTO temp_table.rs_example_legacy_delete_deleted_events_backup
SELECT ce.*
FROM cdp_ce.customer_events AS ce
WHERE ce.id IN (
  SELECT customer_events.id
  FROM public.customer_events
  WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_deleted_events_backup);
