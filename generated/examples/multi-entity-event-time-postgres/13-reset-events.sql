-- restitch:step 13/16
-- restitch:kind batch
-- restitch:title Reset the events (stitched and identifiers to NULL)
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_window_events_reset_done) AS done, (SELECT count(*) FROM external_data.rs_example_window_events_backup AS src) AS total
--
-- Why: stitched = NULL tells profile stitching to stitch the event again. Batches keep each
--   transaction small; each batch records its ids as done in the same transaction.
-- Expect: Each batch touches up to 10000 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- stitched = NULL tells profile stitching to stitch the event again; identifiers = NULL makes
-- it parse the identifiers anew with the corrected rules.
WITH batch AS (
  SELECT src.ord, src.id AS id
  FROM external_data.rs_example_window_events_backup AS src
  WHERE (src.ord, src.id) > (
    coalesce((SELECT done.ord FROM external_data.rs_example_window_events_reset_done AS done ORDER BY done.ord DESC, done.id DESC LIMIT 1), -1),
    coalesce((SELECT done.id FROM external_data.rs_example_window_events_reset_done AS done ORDER BY done.ord DESC, done.id DESC LIMIT 1), '00000000-0000-0000-0000-000000000000'::uuid)
  )
  ORDER BY src.ord, src.id
  LIMIT 10000
),
changed AS (
  UPDATE customer_events
  SET stitched = NULL, identifiers = NULL
  WHERE customer_events.id = ANY (ARRAY(SELECT batch.id FROM batch))
  RETURNING customer_events.id
)
INSERT INTO external_data.rs_example_window_events_reset_done (ord, id)
SELECT batch.ord, batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
