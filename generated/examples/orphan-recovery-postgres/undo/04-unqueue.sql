-- restitch:step 4/5
-- restitch:kind change
-- restitch:title Take back the queued events
--
-- Why: Removes the rows this runbook added to cdp_ps.customer_events_to_process.
-- Expect: DELETE n.

-- Takes back what this runbook queued and CPS has not consumed yet: only its own rows, by event
-- and the `created` it wrote. Another runbook may have queued the same event since; its row stays.
DELETE FROM cdp_ps.customer_events_to_process AS p
USING temp_table.rs_example_orphans_orphans_queued AS q
WHERE p.customer_event_id = q.id
  AND p.created = q.queued_at;
