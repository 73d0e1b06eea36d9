-- restitch:step 4/8
-- restitch:kind check
-- restitch:title Count the orphaned events
--
-- Why: Shows how many events have no matching row and are not queued; stops when there is
--   nothing to recover.
-- Expect: ok = true; detail gives the number of events.

-- Orphans: events with no cdp_ps.matching row (never stitched, or un-stitched by Step 3) that
-- are not waiting in cdp_ps.customer_events_to_process either. This query can be expensive
-- on a large cdp_ce.customer_events.
SELECT
  'there are orphaned events to queue' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events have no matching row and are not queued' AS detail
FROM cdp_ce.customer_events AS ce
LEFT JOIN cdp_ps.matching AS m ON ce.id::uuid = m.customer_event_id
WHERE m.customer_event_id IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = ce.id::uuid
  );
