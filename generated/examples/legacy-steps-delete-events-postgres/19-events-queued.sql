-- restitch:step 19/21
-- restitch:kind check
-- restitch:title Every event is queued
--
-- Why: Proves Step 5 covered every event.
-- Expect: ok = true on every row.

-- CPS is disabled, so nothing consumes cdp_ps.customer_events_to_process yet: every listed
-- event must be waiting there, not only recorded by this runbook.
SELECT
  'every event to clean is recorded as queued' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events not recorded' AS detail
FROM temp_table.rs_example_legacy_delete_events_to_clean AS c
WHERE NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_events_queued AS q WHERE q.id = c.id)
UNION ALL
SELECT
  'every event to clean is waiting in cdp_ps.customer_events_to_process' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events not in the queue' AS detail
FROM temp_table.rs_example_legacy_delete_events_to_clean AS c
WHERE NOT EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = c.id);
