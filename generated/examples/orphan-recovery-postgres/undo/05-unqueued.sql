-- restitch:step 5/5
-- restitch:kind check
-- restitch:title Nothing this runbook queued is left
--
-- Why: Proves the queue is clean.
-- Expect: ok = true.

SELECT
  'no row this runbook queued is still waiting' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows left in cdp_ps.customer_events_to_process' AS detail
FROM cdp_ps.customer_events_to_process AS p
JOIN temp_table.rs_example_orphans_orphans_queued AS q ON q.id = p.customer_event_id AND q.queued_at = p.created;
