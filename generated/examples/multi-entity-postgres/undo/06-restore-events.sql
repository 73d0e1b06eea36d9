-- restitch:step 6/7
-- restitch:kind batch
-- restitch:title Put back stitched and identifiers of the events
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_multi_events_undo_done) AS done, (SELECT count(*) FROM external_data.rs_example_multi_events_backup AS src) AS total
-- restitch:ranges SELECT (SELECT CAST(src.ord AS text) FROM external_data.rs_example_multi_events_backup AS src ORDER BY src.ord LIMIT 1) AS lo, (SELECT CAST(src.ord AS text) FROM external_data.rs_example_multi_events_backup AS src ORDER BY src.ord DESC LIMIT 1) AS hi
--
-- Why: Restores every backed-up event exactly as it was before the runbook, now that its entity
--   is back.
-- Expect: Each batch touches up to 2 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- Puts back stitched and identifiers of every backed-up event, exactly as they were.
WITH last_done AS (
  SELECT done.ord, done.id
  FROM external_data.rs_example_multi_events_undo_done AS done
  WHERE done.ord <= '(4294967295,65535)'::tid -- restitch:range-end
  ORDER BY done.ord DESC, done.id DESC
  LIMIT 1
),
batch AS (
  SELECT src.ord, src.id AS id
  FROM external_data.rs_example_multi_events_backup AS src
  WHERE src.ord > '(0,0)'::tid -- restitch:range-start
    AND src.ord <= '(4294967295,65535)'::tid -- restitch:range-end
    AND (src.ord, src.id) > (
      coalesce((SELECT last_done.ord FROM last_done), '(0,0)'::tid),
      coalesce((SELECT last_done.id FROM last_done), '00000000-0000-0000-0000-000000000000'::uuid)
    )
  ORDER BY src.ord, src.id
  LIMIT 2 -- restitch:batch-size
),
changed AS (
  UPDATE customer_events
  SET stitched = b.stitched, identifiers = b.identifiers
  FROM external_data.rs_example_multi_events_backup AS b
  WHERE customer_events.id = ANY (ARRAY(SELECT batch.id FROM batch))
    AND b.id = customer_events.id
  RETURNING customer_events.id
) -- restitch:journal
INSERT INTO external_data.rs_example_multi_events_undo_done (ord, id)
SELECT batch.ord, batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
