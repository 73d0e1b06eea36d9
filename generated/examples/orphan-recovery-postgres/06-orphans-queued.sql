-- restitch:step 6/8
-- restitch:kind check
-- restitch:title No orphaned event is left unqueued
--
-- Why: Proves the recovery covered every event.
-- Expect: ok = true.

SELECT
  'every orphaned event is queued' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events have no matching row and are not queued' AS detail
FROM cdp_ce.customer_events AS ce
LEFT JOIN cdp_ps.matching AS m ON ce.id::uuid = m.customer_event_id
WHERE m.customer_event_id IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = ce.id::uuid
  );
