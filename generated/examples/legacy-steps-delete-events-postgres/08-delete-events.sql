-- restitch:step 8/21
-- restitch:kind change
-- restitch:title Step 0: delete the events of these entities that match --delete-where
--
-- Why: Step 0 of the wiki, run after Step 1 so the entities could still be found by the
--   condition.
-- Expect: DELETE n, n being the number of events backed up.

-- Wiki Step 0: delete the events, by the ids saved in the backup.
DELETE FROM cdp_ce.customer_events AS ce
WHERE ce.id IN (SELECT b.id FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b);
