-- restitch:step 8/15
-- restitch:kind check
-- restitch:title Every stitched event is backed up, and is still as backed up
-- restitch:recheck-on-resume
--
-- Why: Nothing may be reset that undo could not put back, and an event CPS stitched during a
--   pause and left out of the backup would keep identifiers no entity holds; an event stitched
--   again since its backup stops it too. A resumed run checks this again before it goes on.
-- Expect: ok = true on both rows.

-- Both directions: every stitched event is in the backup (nothing is reset that undo could not
-- put back, and no event CPS stitched during a pause is left out of the reset, holding
-- identifiers no entity will hold), and every backed-up event is still as backed up or as this
-- runbook leaves it (stitched and identifiers NULL).
-- The backup taken after a pause equals what CPS did in it, so also: no evidence that CPS ran
-- since this runbook began (cps-evidence; the start is when CPS was disabled). A resumed run
-- checks all of this again.
SELECT
  'every stitched event is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from the backup (e.g. ' || coalesce(min(CAST(e.id AS text)), 'none') || ')' AS detail
FROM customer_events AS e
WHERE (e.stitched IS NOT NULL OR e.identifiers IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_backup AS b WHERE b.id = e.id)
  -- Once every backed-up entity went through the reset (a run resumed after it re-checks this),
  -- a new row is none of the reset's business: the reset walks the backups, and CPS can stitch
  -- into no reset entity (it holds no identifier), only into new ones.
  AND ((SELECT count(*) FROM external_data.rs_example_full_reset_entities_reset_done) = 0 OR (SELECT count(*) FROM external_data.rs_example_full_reset_entities_reset_done) < (SELECT count(*) FROM external_data.rs_example_full_reset_entities_backup))
UNION ALL
SELECT
  'every backed-up event is still as backed up (nothing stitched it since)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events changed since their backup (e.g. '
    || coalesce(min(CAST(e.id AS text)), 'none') || '): stitched again while the run was paused? Stop CPS, undo this runbook and generate a new one' AS detail
FROM external_data.rs_example_full_reset_events_backup AS b
JOIN customer_events AS e ON e.id = b.id
WHERE NOT (e.stitched IS NULL AND e.identifiers IS NULL)
  AND (e.stitched IS DISTINCT FROM b.stitched OR e.identifiers IS DISTINCT FROM b.identifiers)
UNION ALL
SELECT
  'no event to reset was stitched since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' events stitched after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_full_reset_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.id AS text) AS k, live.stitched AS changed_at
  FROM external_data.rs_example_full_reset_events_backup AS b
  JOIN customer_events AS live ON live.id = b.id
) AS w ON w.changed_at > s.taken_at;
