-- restitch:step 5/8
-- restitch:kind change
-- restitch:title Queue every orphaned event for stitching, once
--
-- Why: The wiki recovery query, skipping events already queued and recording each queued event,
--   so no event is queued twice.
-- Expect: INSERT n, n being the count of the previous step; 0 when run again.

-- The wiki's recovery query, made safe to repeat: events already waiting in
-- customer_events_to_process are skipped, and the journal table takes each event once, so no
-- event is queued twice even if this step runs again after CPS consumed the queue. The journal
-- table keeps the `created` written with each row: undo takes back only this runbook's rows.
WITH orphans AS (
  SELECT DISTINCT ce.id::uuid AS id
  FROM cdp_ce.customer_events AS ce
  LEFT JOIN cdp_ps.matching AS m ON ce.id::uuid = m.customer_event_id
  WHERE m.customer_event_id IS NULL
    AND NOT EXISTS (
      SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = ce.id::uuid
    )
),
queued AS (
  INSERT INTO temp_table.rs_example_orphans_orphans_queued (id, queued_at)
  SELECT orphans.id, current_timestamp FROM orphans
  ON CONFLICT (id) DO NOTHING
  RETURNING id, queued_at
)
INSERT INTO cdp_ps.customer_events_to_process (customer_event_id, created)
SELECT queued.id, queued.queued_at
FROM queued;
