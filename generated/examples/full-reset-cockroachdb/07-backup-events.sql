-- restitch:step 7/15
-- restitch:kind batch
-- restitch:title Back up stitched and identifiers of every stitched event
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_full_reset_events_backup_done) AS done, (SELECT count(*) FROM customer_events AS src WHERE src.stitched IS NOT NULL OR src.identifiers IS NOT NULL) AS total
-- restitch:floor SELECT done.id AS floor FROM external_data.rs_example_full_reset_events_backup_done AS done ORDER BY done.id DESC LIMIT 1
--
-- Why: The reset changes these columns of every event; the backup is also the list of events to
--   reset.
-- Expect: Each batch copies up to 2000 rows; repeat until 0.
--
-- By hand: run the statement again until the shell prints INSERT 0. The runner puts the
-- result of the restitch:floor query (the highest key done) in place of the key literal after
-- src.<key> > before every batch, so each batch reads only its own rows. Pasted as it is, the
-- statement stays correct (keys done are skipped through the done table) but every batch reads
-- again the keys done before it: on a long step, paste that result in place of the literal.

WITH batch AS (
  SELECT src.id AS id
  FROM customer_events AS src
  WHERE src.id > '00000000-0000-0000-0000-000000000000'::uuid -- restitch:floor
    AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_backup_done AS done WHERE done.id = src.id)
    AND (src.stitched IS NOT NULL OR src.identifiers IS NOT NULL)
  ORDER BY src.id
  LIMIT 2000 -- restitch:batch-size
),
changed AS (
  INSERT INTO external_data.rs_example_full_reset_events_backup (id, stitched, identifiers)
  SELECT e.id, e.stitched, e.identifiers
  FROM batch, customer_events AS e
  WHERE e.id = batch.id
  ON CONFLICT (id) DO NOTHING
  RETURNING id
) -- restitch:journal
INSERT INTO external_data.rs_example_full_reset_events_backup_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
