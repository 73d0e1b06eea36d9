-- restitch:step 15/15
-- restitch:kind wait
-- restitch:title Wait until profile stitching has processed every reset event
-- restitch:interval 1m
-- restitch:timeout 24h
--
-- Why: The runbook is finished only when every reset event is stitched again. It reads every
--   reset event on each try, so it reads them a few seconds in the past (AS OF SYSTEM TIME
--   follower_read_timestamp(), a follower read that waits for no writer and blocks none): once
--   true there it stays true, as nothing resets an event again.
-- Expect: ok = true once no reset event has stitched = NULL.
--
-- By hand: run the query every 1m until ok is true on every row; give up after 24h.

-- Profile stitching sets stitched again on every event it has processed.
-- A read a few seconds in the past is enough and contends with no writer (the wait reads every reset
-- event on each try): nothing resets an event after the reset step, so once none waits there none
-- waits now (https://www.cockroachlabs.com/docs/stable/follower-reads). AS OF SYSTEM TIME stands on
-- the outer SELECT, the only place CockroachDB takes it (cockroachdb/cockroach issue 71034).
SELECT waiting.check_name, waiting.ok, waiting.detail
FROM (
  SELECT
    'profile stitching has processed every reset event' AS check_name,
    count(*) = 0 AS ok,
    CAST(count(*) AS text) || ' events waiting to be stitched' AS detail
  FROM customer_events AS e
  JOIN external_data.rs_example_full_reset_events_backup AS b ON b.id = e.id
  WHERE e.stitched IS NULL
) AS waiting AS OF SYSTEM TIME follower_read_timestamp();
