-- restitch:step 8/16
-- restitch:kind batch
-- restitch:title Export the events to reset (their ids, stitched and identifiers), in batches
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_multi_events_export_done) AS done, (SELECT count(*) FROM external_data.rs_example_multi_events_export_done) + 2 * (SELECT count(*) FROM (SELECT DISTINCT held.identifier FROM external_data.rs_example_multi_entities_backup AS a CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier) WHERE held.identifier IS NOT NULL) AS w WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_events_export_done AS done WHERE done.identifier = w.identifier AND done.id = 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)) AS total
-- restitch:floor SELECT w.identifier, coalesce((SELECT CAST(done.id AS text) FROM external_data.rs_example_multi_events_export_done AS done WHERE done.identifier = w.identifier ORDER BY done.id DESC LIMIT 1), '00000000-0000-0000-0000-000000000000') AS floor FROM (SELECT DISTINCT held.identifier FROM external_data.rs_example_multi_entities_backup AS a CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier) WHERE held.identifier IS NOT NULL) AS w WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_events_export_done AS done WHERE done.identifier = w.identifier AND done.id = 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) ORDER BY w.identifier LIMIT 1
--
-- Why: Wiki step 1: the event ids must be exported while the entities still hold their
--   identifiers. The export keeps the events' stitched and identifiers, so it is also their
--   backup. It reads, through the inverted index on identifiers, the events of one identifier
--   of the entities after another, in batches by id, each its own short transaction, and
--   resumes where it stopped: its work follows the entities chosen, not the size of
--   customer_events.
-- Expect: Each batch reads up to 2 events of one identifier and records one row; the runner
--   stops when every identifier is walked.
--
-- By hand: run the restitch:floor query above. While it returns a row, put its identifier in
-- place of the literal before each "-- restitch:identifier" and its floor in place of the
-- literal before "-- restitch:floor", run the statement, and run the query again. When it
-- returns no row the export is done. As generated (identifier '') the statement exports nothing
-- and cockroach sql prints INSERT 0 0: the identifier must be one of the entity backup's.

-- Every event that shares an identifier with an entity to reset: their ids are the list to
-- reset, and stitched/identifiers are their backup. An event with no identifiers belongs to no
-- entity. Read from the entity backup, so a second run still sees the identifiers.
-- Walked one identifier of the entity backup after another, and by id within each, in batches of
-- at most 2 events, one short transaction each and resumable: the restitch:floor
-- query names the identifier and the id to start after, and the runner puts them in place of the
-- literals before "-- restitch:identifier" and "-- restitch:floor". `identifiers @> ARRAY['<one>']`
-- is a constrained scan of the inverted index on identifiers whose entries are keyed by (element,
-- id), so a batch reads the index entries of that identifier, takes the next ids after the floor,
-- and never reads the rest of the table
-- (cockroachdb/cockroach pkg/sql/opt/exec/execbuilder/testdata/inverted_index); `&&` against the
-- column of the entity backup could not drive an inverted join (cockroachdb/cockroach issue 81643).
-- Each batch records (identifier, its highest id); a batch that finds no event left records
-- (identifier, 'ffffffff-…') and the walk goes on with the next identifier.
WITH walked AS (
  SELECT held.identifier
  FROM external_data.rs_example_multi_entities_backup AS a
  CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
  WHERE held.identifier =
    '' -- restitch:identifier
  LIMIT 1
),
-- The event ids of the identifier, read from the inverted index alone (its entries carry the id), and
-- fenced (MATERIALIZED, on CockroachDB since cockroachdb/cockroach PR 47341) so that neither the
-- floor nor the ORDER BY ... LIMIT below can turn the read into a scan of the primary key, which
-- filters every event of the table on the way: each batch reads the index entries of the identifier,
-- and only the rows of the batch by key.
candidates AS MATERIALIZED (
  SELECT e.id
  FROM customer_events AS e
  WHERE e.identifiers @> ARRAY[
      '' -- restitch:identifier
    ]
    AND EXISTS (SELECT 1 FROM walked)
),
batch AS (
  SELECT candidates.id
  FROM candidates
  WHERE candidates.id > '00000000-0000-0000-0000-000000000000'::uuid -- restitch:floor
  ORDER BY candidates.id
  LIMIT 2 -- restitch:batch-size
),
changed AS (
  INSERT INTO external_data.rs_example_multi_events_backup (id, stitched, identifiers)
  SELECT e.id, e.stitched, e.identifiers
  FROM batch, customer_events AS e
  WHERE e.id = batch.id
  ON CONFLICT (id) DO NOTHING
  RETURNING id
) -- restitch:journal per-batch
INSERT INTO external_data.rs_example_multi_events_export_done (identifier, id)
SELECT
  walked.identifier,
  coalesce((SELECT batch.id FROM batch ORDER BY batch.id DESC LIMIT 1), 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
FROM walked
WHERE (SELECT count(*) FROM changed) >= 0
ON CONFLICT (identifier, id) DO NOTHING;
