-- restitch:step 8/16
-- restitch:kind batch
-- restitch:title Export the events to reset (their ids, stitched and identifiers), in batches
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_multi_events_export_done) AS done, (SELECT (count(*) + 2 - 1) / 2 FROM customer_events AS src) AS total
-- restitch:floor SELECT done.id AS floor FROM external_data.rs_example_multi_events_export_done AS done ORDER BY done.id DESC LIMIT 1
--
-- Why: Wiki step 1: the event ids must be exported while the entities still hold their
--   identifiers. The export keeps the events' stitched and identifiers, so it is also their
--   backup. It walks customer_events by key in batches, each its own short transaction, and
--   resumes where it stopped.
-- Expect: Each batch reads up to 2 events and records one row; repeat until 0.
--
-- By hand: run the statement again until the shell prints INSERT 0. The runner puts the
-- result of the restitch:floor query (the highest key done) in place of the key literal after
-- src.<key> > before every batch, so each batch reads only its own rows. Pasted as it is, the
-- statement stays correct (keys done are skipped through the done table) but every batch reads
-- again the keys done before it: on a long step, paste that result in place of the literal.

-- Every event that shares an identifier with an entity to reset: their ids are the list to
-- reset, and stitched/identifiers are their backup. An event with no identifiers belongs to no
-- entity. Read from the entity backup, so a second run still sees the identifiers.
-- Walked in batches of customer_events keys, one transaction each and resumable, instead of one
-- transaction over the whole table: `&&` cannot drive an inverted join on CockroachDB
-- (cockroachdb/cockroach issue 81643), so each event is compared with the (small) entity backup;
-- every batch reads at most 2 events (see keyset-batch).
WITH batch AS (
  SELECT src.id AS id
  FROM customer_events AS src
  WHERE src.id > '00000000-0000-0000-0000-000000000000'::uuid -- restitch:floor
    AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_events_export_done AS done WHERE done.id >= src.id)
  ORDER BY src.id
  LIMIT 2 -- restitch:batch-size
),
changed AS (
  INSERT INTO external_data.rs_example_multi_events_backup (id, stitched, identifiers)
  SELECT e.id, e.stitched, e.identifiers
  FROM batch
  JOIN customer_events AS e ON e.id = batch.id
  WHERE array_length(e.identifiers, 1) > 0
    AND EXISTS (
      SELECT 1
      FROM external_data.rs_example_multi_entities_backup AS a
      WHERE array_length(a.identifiers, 1) > 0
        AND e.identifiers && a.identifiers
    )
  ON CONFLICT (id) DO NOTHING
  RETURNING id
) -- restitch:journal per-batch
INSERT INTO external_data.rs_example_multi_events_export_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0
ORDER BY batch.id DESC
LIMIT 1;
