-- restitch:step 12/15
-- restitch:kind batch
-- restitch:title Reset the events (stitched and identifiers to NULL)
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_full_reset_events_reset_done) AS done, (SELECT count(*) FROM external_data.rs_example_full_reset_events_backup AS src) AS total
-- restitch:floor SELECT done.id AS floor FROM external_data.rs_example_full_reset_events_reset_done AS done WHERE done.id > $1 AND done.id <= $2 ORDER BY done.id DESC LIMIT 1
-- restitch:ranges SELECT (SELECT CAST(src.id AS text) FROM external_data.rs_example_full_reset_events_backup AS src ORDER BY src.id LIMIT 1) AS lo, (SELECT CAST(src.id AS text) FROM external_data.rs_example_full_reset_events_backup AS src ORDER BY src.id DESC LIMIT 1) AS hi
--
-- Why: stitched = NULL tells profile stitching to stitch the event again. Batches keep each
--   transaction small; each batch records its ids as done in the same transaction, and first
--   compares its events with their backup: one that CPS stitched again since stops the step,
--   naming it, and the batch changes nothing. Past the point of no return the way is forward:
--   the first batch of a run also stops, with nothing changed, when events were stitched since
--   the pause (CPS enabled, perhaps idle); disable CPS and run again.
-- Expect: Each batch touches up to 2000 rows; repeat until 0. An error `restitch: step ...
--   refused` names the event that changed and what to do.
--
-- By hand: run the statement again until the shell prints INSERT 0. The runner puts the
-- result of the restitch:floor query (the highest key done) in place of the key literal after
-- src.<key> > before every batch, so each batch reads only its own rows. Pasted as it is, the
-- statement stays correct (keys done are skipped through the done table) but every batch reads
-- again the keys done before it: on a long step, paste that result in place of the literal.
-- Here the floor query takes a key range: for the whole walk $1 is the nil UUID and $2
-- 'ffffffff-ffff-ffff-ffff-ffffffffffff'.

-- stitched = NULL tells profile stitching to stitch the event again; identifiers = NULL makes
-- it parse the identifiers anew with the corrected rules.
-- Only while every event of the batch is as backed up (or already reset): one that CPS stitched
-- again since stops the batch with nothing changed. And, in the first batch, only while no event
-- was stitched since the pause began: CPS would stitch the reset events again at once.
WITH batch AS (
  SELECT src.id AS id
  FROM external_data.rs_example_full_reset_events_backup AS src
  WHERE src.id > '00000000-0000-0000-0000-000000000000'::uuid -- restitch:floor
    AND src.id <= 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid -- restitch:range-end
    AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_reset_done AS done WHERE done.id = src.id)
  ORDER BY src.id
  LIMIT 2000 -- restitch:batch-size
),
changed AS (
  UPDATE customer_events
  SET stitched = NULL, identifiers = NULL
  FROM batch
  WHERE customer_events.id = batch.id
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: step 12 (reset-events) refused, this statement changed nothing: event ' || min(CAST(live.id AS text))
          || ' is no longer as backed up (stitched or identifiers changed since: CPS stitched it); '
          || CAST(count(*) AS text) || ' such row(s). Stop CPS and every other writer, undo this runbook while it applies (restitch run --undo), then generate a new one, whose backup holds the rows as they are now'
        AS INT8) END
      FROM (
        SELECT live.id, live.stitched, live.identifiers
        FROM batch, customer_events AS live
        WHERE live.id = batch.id
        FOR UPDATE OF live
      ) AS live
      WHERE NOT (live.stitched IS NULL AND live.identifiers IS NULL)
        AND NOT EXISTS (
          SELECT 1
          FROM external_data.rs_example_full_reset_events_backup AS kept
          WHERE kept.id = live.id
            AND kept.stitched IS NOT DISTINCT FROM live.stitched AND kept.identifiers IS NOT DISTINCT FROM live.identifiers
        )
    ) = 0
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: step 12 (reset-events) refused, this statement changed nothing: ' || CAST(count(*) AS text)
          || ' event(s) stitched since the pause began (e.g. ' || min(CAST(cps.id AS text))
          || '): profile stitching runs, enabled though perhaps idle, and would stitch the events this step resets again with the old rule.'
          || ' Disable CPS and wait for its runs to end, then run the same command again: this step then looks only at what happened after this refusal'
        AS INT8) END
      FROM (
        SELECT e.id
        FROM (
          SELECT CASE WHEN paused.at > s.taken_at THEN paused.at ELSE s.taken_at END AS at
          FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_full_reset_backup_meta AS m) AS s
          CROSS JOIN (SELECT CAST(NULLIF(
            '' -- restitch:paused-at
            , '') AS timestamptz) AS at) AS paused
        ) AS since
        JOIN customer_events AS e ON e.stitched > since.at
        WHERE 1 = 1 -- restitch:first-batch
        LIMIT 1000
      ) AS cps
    ) = 0
  RETURNING customer_events.id
) -- restitch:journal
INSERT INTO external_data.rs_example_full_reset_events_reset_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
