-- restitch:step 8/21
-- restitch:kind change
-- restitch:title Step 0: delete the events of these entities that match --delete-where
--
-- Why: Step 0 of the wiki, run after Step 1 so the entities could still be found by the
--   condition.
-- Expect: DELETE n, n being the number of events backed up.

-- Wiki Step 0: delete the events saved in the backup that the condition chooses now. A backup
-- another version of this runbook took (--reuse-backups) may hold more; those stay (the check
-- before this step names them and stops).
DELETE FROM cdp_ce.customer_events AS ce
WHERE ce.id IN (SELECT b.id FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b)
  AND ce.id IN (
    SELECT customer_events.id
    FROM public.customer_events
    WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
  );
