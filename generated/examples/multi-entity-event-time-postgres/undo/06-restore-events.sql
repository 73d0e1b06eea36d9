-- restitch:step 6/7
-- restitch:kind batch
-- restitch:title Put back stitched and identifiers of the events
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_window_events_undo_done) AS done, (SELECT count(*) FROM external_data.rs_example_window_events_backup AS src) AS total
--
-- Why: Restores every backed-up event exactly as it was before the runbook, now that its entity
--   is back.
-- Expect: Each batch touches up to 10000 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- Puts back stitched and identifiers of every backed-up event, exactly as they were.
WITH batch AS (
  SELECT src.ord, src.id AS id
  FROM external_data.rs_example_window_events_backup AS src
  WHERE (src.ord, src.id) > (
    coalesce((SELECT done.ord FROM external_data.rs_example_window_events_undo_done AS done ORDER BY done.ord DESC, done.id DESC LIMIT 1), -1),
    coalesce((SELECT done.id FROM external_data.rs_example_window_events_undo_done AS done ORDER BY done.ord DESC, done.id DESC LIMIT 1), '00000000-0000-0000-0000-000000000000'::uuid)
  )
  ORDER BY src.ord, src.id
  LIMIT 10000
),
changed AS (
  UPDATE customer_events
  SET stitched = b.stitched, identifiers = b.identifiers
  FROM external_data.rs_example_window_events_backup AS b
  WHERE customer_events.id = ANY (ARRAY(SELECT batch.id FROM batch))
    AND b.id = customer_events.id
  RETURNING customer_events.id
)
INSERT INTO external_data.rs_example_window_events_undo_done (ord, id)
SELECT batch.ord, batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
