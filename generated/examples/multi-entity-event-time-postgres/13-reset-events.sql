-- restitch:step 13/16
-- restitch:kind batch
-- restitch:title Reset the events (stitched and identifiers to NULL)
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_window_events_reset_done) AS done, (SELECT count(*) FROM external_data.rs_example_window_events_backup AS src) AS total
-- restitch:ranges SELECT (SELECT CAST(src.ord AS text) FROM external_data.rs_example_window_events_backup AS src ORDER BY src.ord LIMIT 1) AS lo, (SELECT CAST(src.ord AS text) FROM external_data.rs_example_window_events_backup AS src ORDER BY src.ord DESC LIMIT 1) AS hi
--
-- Why: stitched = NULL tells profile stitching to stitch the event again. Batches keep each
--   transaction small; each batch records its ids as done in the same transaction, and first
--   compares its events with their backup: one that CPS stitched again since stops the step,
--   naming it, and the batch changes nothing. Past the point of no return the way is forward:
--   the first batch of a run also stops, with nothing changed, when events were stitched since
--   the pause (CPS enabled, perhaps idle); disable CPS and run again.
-- Expect: Each batch touches up to 10000 rows; repeat until 0. An error `restitch: step ...
--   refused` names the event that changed and what to do.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- stitched = NULL tells profile stitching to stitch the event again; identifiers = NULL makes
-- it parse the identifiers anew with the corrected rules.
-- Only while every event of the batch is as backed up (or already reset): one that CPS stitched
-- again since stops the batch with nothing changed. And, in the first batch, only while no event
-- was stitched since the pause began: CPS would stitch the reset events again at once.
WITH last_done AS (
  SELECT done.ord, done.id
  FROM external_data.rs_example_window_events_reset_done AS done
  WHERE done.ord <= '(4294967295,65535)'::tid -- restitch:range-end
  ORDER BY done.ord DESC, done.id DESC
  LIMIT 1
),
batch AS (
  SELECT src.ord, src.id AS id
  FROM external_data.rs_example_window_events_backup AS src
  WHERE src.ord > '(0,0)'::tid -- restitch:range-start
    AND src.ord <= '(4294967295,65535)'::tid -- restitch:range-end
    AND (src.ord, src.id) > (
      coalesce((SELECT last_done.ord FROM last_done), '(0,0)'::tid),
      coalesce((SELECT last_done.id FROM last_done), '00000000-0000-0000-0000-000000000000'::uuid)
    )
  ORDER BY src.ord, src.id
  LIMIT 10000 -- restitch:batch-size
),
changed AS (
  UPDATE customer_events
  SET stitched = NULL, identifiers = NULL
  WHERE customer_events.id = ANY (ARRAY(SELECT batch.id FROM batch))
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: step 13 (reset-events) refused, this statement changed nothing: event ' || min(CAST(live.id AS text))
          || ' is no longer as backed up (stitched or identifiers changed since: CPS stitched it); '
          || CAST(count(*) AS text) || ' such row(s). Stop CPS and every other writer, undo this runbook while it applies (restitch run --undo), then generate a new one, whose backup holds the rows as they are now'
        AS INT8) END
      FROM (
        SELECT live.id, live.stitched, live.identifiers
        FROM customer_events AS live
        WHERE live.id = ANY (ARRAY(SELECT batch.id FROM batch))
        FOR UPDATE OF live
      ) AS live
      WHERE NOT (live.stitched IS NULL AND live.identifiers IS NULL)
        AND NOT EXISTS (
          SELECT 1
          FROM external_data.rs_example_window_events_backup AS kept
          WHERE kept.id = live.id
            AND kept.stitched IS NOT DISTINCT FROM live.stitched AND kept.identifiers IS NOT DISTINCT FROM live.identifiers
        )
    ) = 0
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: step 13 (reset-events) refused, this statement changed nothing: ' || CAST(count(*) AS text)
          || ' event(s) sharing an identifier with the reset entities stitched since the pause began (e.g. ' || min(CAST(cps.id AS text))
          || '): profile stitching runs, enabled though perhaps idle, and would stitch the events this step resets again with the old rule.'
          || ' Disable CPS and wait for its runs to end, then run the same command again: this step then looks only at what happened after this refusal'
        AS INT8) END
      FROM (
        SELECT DISTINCT e.id
        FROM (
          SELECT CASE WHEN paused.at > s.taken_at THEN paused.at ELSE s.taken_at END AS at
          FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '79646bf983a17034eaa826c00bedfddf9be7b735cc915a1c5d1762a19e837aaf' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_window_backup_meta AS m) AS s
          CROSS JOIN (SELECT CAST(NULLIF(
            '' -- restitch:paused-at
            , '') AS timestamptz) AS at) AS paused
        ) AS since
        JOIN (
          SELECT e.id, e.stitched
          FROM customer_events AS e
          WHERE e.identifiers && (
              SELECT array_agg(DISTINCT held.identifier)
              FROM external_data.rs_example_window_entities_backup AS a
              CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
            )
            AND array_length(e.identifiers, 1) > 0
            AND 1 = 1 -- restitch:first-batch
        ) AS e ON e.stitched > since.at
        LIMIT 1000
      ) AS cps
    ) = 0
  RETURNING customer_events.id
) -- restitch:journal
INSERT INTO external_data.rs_example_window_events_reset_done (ord, id)
SELECT batch.ord, batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
