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
  -- Past the point of no return the way is forward: were CPS still enabled (idle, its sessions
  -- unseen), it would take these queue rows at once with the old rule, and the next check could
  -- only say so afterwards. Its work during the pause shows as events matched since (matched-since).
  WHERE (
    SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
      'restitch: step 18 (queue-events) refused, this statement changed nothing: ' || CAST(count(*) AS text)
        || ' event(s) that happened since the pause began are matched (e.g. ' || min(cps.id) || '): only profile stitching writes cdp_ps.matching,'
        || ' so it runs, enabled though perhaps idle, and would take the queued events at once with the old rule.'
        || ' Disable CPS and wait for its runs to end, then run the same command again: this step then looks only at what happened after this refusal'
      AS INT8) END
    FROM (
      SELECT ce.id, since.at
      FROM (
        SELECT CASE WHEN paused.at > s.taken_at THEN paused.at ELSE s.taken_at END AS at
        FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = 'b8ca0e5e92bc464cf37645e0794448816e0e3f0927814f81ec8dedcb09842c30' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_delete_backup_meta AS m) AS s
        CROSS JOIN (SELECT CAST(NULLIF(
          '' -- restitch:paused-at
          , '') AS timestamptz) AS at) AS paused
      ) AS since
      JOIN cdp_ce.customer_events AS ce ON ce.event_time > since.at
      JOIN cdp_ps.matching AS m ON m.customer_event_id = CAST(ce.id AS uuid)
      LIMIT 1000
    ) AS cps
  ) = 0
  ON CONFLICT (id) DO NOTHING
  RETURNING id, queued_at
)
INSERT INTO cdp_ps.customer_events_to_process (customer_event_id, created)
SELECT queued.id, queued.queued_at
FROM queued;
