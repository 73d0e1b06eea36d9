-- restitch:step 8/8
-- restitch:kind wait
-- restitch:title Wait until CPS has processed every queued event
-- restitch:interval 1m
-- restitch:timeout 24h
--
-- Why: The runbook is finished when CPS has processed every queued event. What shows it: the
--   event has left cdp_ps.customer_events_to_process, and CPS has written cdp_ps.matching rows
--   for the events whose value is an identifier. Leaving the queue alone proves nothing (a
--   queue row deleted by hand or by another runbook looks the same), so the wait also needs
--   matching rows. What cannot be observed: that CPS processed an event whose value is no
--   identifier under the corrected rule (the bad value of the incident). It rightly gets no
--   matching row and leaves no other trace in the cdp_* tables; the detail counts those, and
--   CPS's own logs are the only place to confirm them. If every queued event is of that kind
--   the wait cannot pass: confirm in the CPS logs instead.
-- Expect: ok = true once no queued event is still queued and at least one has its matching row;
--   detail gives the number of events that left the queue without a matching row.
--
-- By hand: run the query every 1m until ok is true on every row; give up after 24h.

-- What shows that CPS processed an event: it takes the event's rows out of
-- cdp_ps.customer_events_to_process, and writes a cdp_ps.matching row for it when its value is an
-- identifier under the corrected rule. Leaving the queue alone is no proof: anything that deletes
-- the queue rows (by hand, another runbook's undo) looks the same. An event whose value is no
-- identifier (the "None" of the incident) rightly gets no matching row, and then nothing in the
-- cdp_* tables shows that CPS processed it: those are counted in the detail, not waited for.
SELECT
  'CPS has taken every queued event from cdp_ps.customer_events_to_process' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events still queued; '
    || (
      SELECT CAST(count(*) AS text)
      FROM temp_table.rs_example_orphans_orphans_queued AS done
      WHERE NOT EXISTS (SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_event_id = done.id)
        AND NOT EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = done.id)
    )
    || ' events left the queue without a matching row (information: CPS writes none for an event whose value is no identifier, and nothing shows it processed them)' AS detail
FROM temp_table.rs_example_orphans_orphans_queued AS q
WHERE EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = q.id)
UNION ALL
-- The evidence that CPS, not something else, emptied the queue: a matching row for at least one
-- queued event. Nothing else writes cdp_ps.matching for these events once they are queued (they
-- had none then, and undo no longer applies).
SELECT
  'CPS has stitched queued events (their cdp_ps.matching rows: the trace of its work)' AS check_name,
  count(*) = 0 OR count(m.customer_event_id) > 0 AS ok,
  CAST(count(m.customer_event_id) AS text) || ' of ' || CAST(count(*) AS text)
    || ' queued events have a matching row; none means CPS has not processed the queue (rows that left it were deleted by something else) or every event is without identifier' AS detail
FROM temp_table.rs_example_orphans_orphans_queued AS q
LEFT JOIN cdp_ps.matching AS m ON m.customer_event_id = q.id;
