-- restitch:step 8/8
-- restitch:kind wait
-- restitch:title Wait until every queued event is stitched
-- restitch:interval 1m
-- restitch:timeout 24h
--
-- Why: The recovery is finished when every queued event has a matching row.
-- Expect: ok = true once no queued event lacks a matching row.
--
-- By hand: run the query every 1m until ok is true on every row; give up after 24h.

-- Profile stitching writes a matching row for every event it has stitched.
SELECT
  'profile stitching has stitched every queued event' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events not stitched yet' AS detail
FROM temp_table.rs_example_orphans_orphans_queued AS q
WHERE NOT EXISTS (SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_event_id = q.id);
