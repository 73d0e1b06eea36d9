-- restitch:step 16/16
-- restitch:kind wait
-- restitch:title Wait until profile stitching has processed every reset event
-- restitch:interval 1m
-- restitch:timeout 24h
--
-- Why: The runbook is finished only when every reset event is stitched again.
-- Expect: ok = true once no reset event has stitched = NULL.
--
-- By hand: run the query every 1m until ok is true on every row; give up after 24h.

-- Profile stitching sets stitched again on every event it has processed.
SELECT waiting.check_name, waiting.ok, waiting.detail
FROM (
  SELECT
    'profile stitching has processed every reset event' AS check_name,
    count(*) = 0 AS ok,
    CAST(count(*) AS text) || ' events waiting to be stitched' AS detail
  FROM customer_events AS e
  JOIN external_data.rs_example_window_events_backup AS b ON b.id = e.id
  WHERE e.stitched IS NULL
) AS waiting;
