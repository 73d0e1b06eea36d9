-- restitch:step 21/21
-- restitch:kind wait
-- restitch:title Wait until CPS has processed every queued event
-- restitch:interval 1m
-- restitch:timeout 24h
--
-- Why: The runbook is finished when CPS has taken every queued event from the queue. An event
--   whose only identifier was the bad value rightly stays without a matching row.
-- Expect: ok = true once no listed event is still queued; detail gives the number left without
--   a matching row.
--
-- By hand: run the query every 1m until ok is true on every row; give up after 24h.

-- CPS takes each event out of cdp_ps.customer_events_to_process once it has processed it. An
-- event whose only identifier is no identifier under the corrected rule (the "None" of the
-- incident) rightly gets no cdp_ps.matching row: those are counted in the detail, not waited for.
SELECT
  'CPS has taken every queued event from cdp_ps.customer_events_to_process' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events still queued; '
    || (
      SELECT CAST(count(*) AS text)
      FROM temp_table.rs_example_legacy_delete_events_to_clean AS done
      WHERE NOT EXISTS (SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_event_id = done.id)
        AND NOT EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = done.id)
    )
    || ' processed events left without a matching row (information)' AS detail
FROM temp_table.rs_example_legacy_delete_events_to_clean AS q
WHERE EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = q.id);
