-- restitch:step 15/15
-- restitch:kind wait
-- restitch:title Wait until profile stitching has processed every reset event
-- restitch:interval 1m
-- restitch:timeout 24h
--
-- Why: The runbook is finished only when every reset event is stitched again, by profile
--   stitching, since this runbook reset it: an undo puts the old stitched back, so a stitched
--   that is not NULL proves nothing by itself. It reads every reset event on each try, so it
--   reads them a few seconds in the past (AS OF SYSTEM TIME follower_read_timestamp(), a
--   follower read that waits for no writer and blocks none): once true there it stays true, as
--   nothing resets an event again.
-- Expect: ok = true once every reset event is stitched since this runbook began (not to its
--   backed-up value) and none is stitched to an identifier no entity holds.
--
-- By hand: run the query every 1m until ok is true on every row; give up after 24h.

-- Profile stitching sets stitched to the time it stitched an event. "Not NULL" is not proof: an
-- undo puts the backed-up stitched back, and CPS running with the old rule stitches too. An event
-- counts as re-stitched only when its stitched is later than this runbook's start (the stamp of
-- its working tables, taken before any backup) and differs from its backed-up value, and when
-- every identifier it was stitched to is held by an entity (else it belongs to no profile, and
-- CPS never looks at it again). Both read only the reset events.
-- A read a few seconds in the past is enough and contends with no writer (the wait reads every reset
-- event on each try): nothing resets an event after the reset step, so once none waits there none
-- waits now (https://www.cockroachlabs.com/docs/stable/follower-reads). AS OF SYSTEM TIME stands on
-- the outer SELECT, the only place CockroachDB takes it (cockroachdb/cockroach issue 71034).
SELECT waiting.check_name, waiting.ok, waiting.detail
FROM (
  SELECT
    'profile stitching has stitched every reset event since this runbook reset it' AS check_name,
    max(s.taken_at) IS NOT NULL AND count(w.id) = 0 AS ok,
    CASE
      WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
      ELSE CAST(count(w.id) AS text) || ' events not stitched since ' || CAST(max(s.taken_at) AS text)
        || coalesce(' (e.g. ' || min(CAST(w.id AS text)) || ')', '')
    END AS detail
  FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_full_reset_backup_meta AS m) AS s
  LEFT JOIN (
    SELECT e.id, e.stitched, b.stitched AS backed_up
    FROM external_data.rs_example_full_reset_events_backup AS b
    JOIN customer_events AS e ON e.id = b.id
  ) AS w ON w.stitched IS NULL OR w.stitched <= s.taken_at OR w.stitched = w.backed_up
  UNION ALL
  SELECT
    'no reset event is stitched to an identifier no entity holds' AS check_name,
    count(DISTINCT e.id) = 0 AS ok,
    CAST(count(DISTINCT e.id) AS text) || ' events stitched to identifiers no entity holds'
      || coalesce(' (e.g. event ' || min(CAST(e.id AS text)) || '; identifier ' || min(i.identifier) || ')', '') AS detail
  FROM external_data.rs_example_full_reset_events_backup AS b
  JOIN customer_events AS e ON e.id = b.id
  CROSS JOIN LATERAL unnest(e.identifiers) AS i (identifier)
  WHERE e.stitched IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM customer_attributes AS holder WHERE holder.identifiers @> ARRAY[i.identifier])
) AS waiting AS OF SYSTEM TIME follower_read_timestamp();
