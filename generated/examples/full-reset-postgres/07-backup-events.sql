-- restitch:step 7/15
-- restitch:kind batch
-- restitch:title Back up stitched and identifiers of every stitched event
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_full_reset_events_backup_done) AS done, (SELECT count(*) FROM customer_events AS src WHERE src.stitched IS NOT NULL OR src.identifiers IS NOT NULL) AS total
--
-- Why: The reset changes these columns of every event; the backup is also the list of events to
--   reset.
-- Expect: Each batch copies up to 10000 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

WITH batch AS (
  SELECT src.id AS id
  FROM customer_events AS src
  WHERE src.id > coalesce(
    (SELECT done.id FROM external_data.rs_example_full_reset_events_backup_done AS done ORDER BY done.id DESC LIMIT 1),
    '00000000-0000-0000-0000-000000000000'::uuid
  )
    AND (src.stitched IS NOT NULL OR src.identifiers IS NOT NULL)
  ORDER BY src.id
  LIMIT 10000 -- restitch:batch-size
),
changed AS (
  INSERT INTO external_data.rs_example_full_reset_events_backup (id, stitched, identifiers, ord)
  SELECT e.id, e.stitched, e.identifiers, e.ctid
  FROM customer_events AS e
  WHERE e.id = ANY (ARRAY(SELECT batch.id FROM batch))
  ON CONFLICT (id) DO NOTHING
  RETURNING id
) -- restitch:journal
INSERT INTO external_data.rs_example_full_reset_events_backup_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
