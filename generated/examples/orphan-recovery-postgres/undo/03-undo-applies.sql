-- restitch:step 3/5
-- restitch:kind check
-- restitch:title Every queued event is still waiting: undo can still take it back
--
-- Why: An event CPS has taken from the queue is stitched and stays so. Then undo no longer
--   applies and nothing may change: the way back is forward.
-- Expect: ok = true on both rows; otherwise stop here, nothing has changed.

-- Undo takes back the queue rows this runbook added (its own rows: event and `created`). An event CPS has taken from the queue is
-- stitched and stays so: undo applies only while every queued event is still waiting. A row that
-- is not ok: stop here, nothing has changed; the way back is forward (let CPS finish).
SELECT
  'every event this runbook queued is still waiting in the queue' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' queued events were taken from the queue' AS detail
FROM temp_table.rs_example_orphans_orphans_queued AS q
WHERE NOT EXISTS (
  SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = q.id AND p.created = q.queued_at
)
UNION ALL
SELECT
  'no event this runbook queued has been stitched' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' queued events have a matching row' AS detail
FROM temp_table.rs_example_orphans_orphans_queued AS q
WHERE EXISTS (SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_event_id = q.id);
