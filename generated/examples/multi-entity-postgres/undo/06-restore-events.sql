-- restitch:step 6/7
-- restitch:kind batch
-- restitch:title Put back stitched and identifiers of the events
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_multi_events_undo_done) AS done, (SELECT count(*) FROM external_data.rs_example_multi_events_backup AS src) AS total
-- restitch:ranges SELECT (SELECT CAST(src.ord AS text) FROM external_data.rs_example_multi_events_backup AS src ORDER BY src.ord LIMIT 1) AS lo, (SELECT CAST(src.ord AS text) FROM external_data.rs_example_multi_events_backup AS src ORDER BY src.ord DESC LIMIT 1) AS hi
--
-- Why: Restores every backed-up event exactly as it was before the runbook, now that its entity
--   is back; only while it is as the forward run left it (or already restored): an event
--   stitched again since stops the step, naming it, and the batch changes nothing.
-- Expect: Each batch touches up to 2 rows; repeat until 0. An error `restitch: undo step ...
--   refused` names the event that changed.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- Puts back stitched and identifiers of every backed-up event, exactly as they were; only while
-- every event of the batch is as the forward run left it (reset) or already as backed up: one
-- stitched again since stops the batch with nothing changed.
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
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: undo step 6 (restore-events) refused, this statement changed nothing: event ' || min(CAST(live.id AS text))
          || ' is neither as the forward run left it nor as backed up (changed since: CPS stitched it again, or another writer); '
          || CAST(count(*) AS text) || ' such row(s). Undo no longer applies to it and would overwrite newer data: the way back is forward, re-stitching (run the forward runbook to its end)'
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
          FROM external_data.rs_example_multi_events_backup AS kept
          WHERE kept.id = live.id
            AND kept.stitched IS NOT DISTINCT FROM live.stitched AND kept.identifiers IS NOT DISTINCT FROM live.identifiers
        )
    ) = 0
  RETURNING customer_events.id
) -- restitch:journal
INSERT INTO external_data.rs_example_multi_events_undo_done (ord, id)
SELECT batch.ord, batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
