-- restitch:step 18/21
-- restitch:kind change
-- restitch:title Step 5: queue the events for stitching
--
-- Why: Step 5 of the wiki: rows in cdp_ps.customer_events_to_process make CPS stitch the events
--   again.
-- Expect: INSERT n, n being the number of events; 0 when run again.

-- Wiki Step 5, exactly once per event (same journal pattern as the entity deletes). The journal
-- table keeps the `created` written with each row, so that undo, the waits and the checks know
-- this runbook's row from one another runbook queued for the same event.
WITH queued AS (
  INSERT INTO temp_table.rs_example_legacy_delete_events_queued (id, queued_at)
  SELECT c.id, current_timestamp FROM temp_table.rs_example_legacy_delete_events_to_clean AS c
  ON CONFLICT (id) DO NOTHING
  RETURNING id, queued_at
)
INSERT INTO cdp_ps.customer_events_to_process (customer_event_id, created)
SELECT queued.id, queued.queued_at
FROM queued;
