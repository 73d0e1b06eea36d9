-- restitch:step 6/15
-- restitch:kind check
-- restitch:title Every stitched entity is backed up, and is still as backed up
-- restitch:recheck-on-resume
--
-- Why: Nothing may be reset that undo could not put back; an entity CPS stitched since its
--   backup (while the run was paused) stops it. A resumed run checks this again before it goes
--   on.
-- Expect: ok = true on both rows.

-- Both directions: every stitched entity is in the backup (nothing is reset that undo could not
-- put back), and every backed-up entity is still as backed up or as this runbook leaves it
-- (modified and identifiers NULL, or deleted by the clean-up routine): anything else means
-- something stitched it since (CPS running during a pause), and the backup no longer says what
-- undo must put back nor which events belong to it.
-- The backup taken after a pause equals what CPS did in it, so also: no evidence that CPS ran
-- since this runbook began (cps-evidence; the start is when CPS was disabled). A resumed run
-- checks all of this again.
SELECT
  'every stitched entity is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities missing from the backup (e.g. ' || coalesce(min(a.customer_entity_id), 'none') || ')' AS detail
FROM customer_attributes AS a
WHERE (a.modified IS NOT NULL OR a.identifiers IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_backup AS b WHERE b.customer_entity_id = a.customer_entity_id)
  -- Once every backed-up entity went through the reset (a run resumed after it re-checks this),
  -- a new row is none of the reset's business: the reset walks the backups, and CPS can stitch
  -- into no reset entity (it holds no identifier), only into new ones.
  AND ((SELECT count(*) FROM external_data.rs_example_full_reset_entities_reset_done) = 0 OR (SELECT count(*) FROM external_data.rs_example_full_reset_entities_reset_done) < (SELECT count(*) FROM external_data.rs_example_full_reset_entities_backup))
UNION ALL
SELECT
  'every backed-up entity is still as backed up (nothing stitched it since)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities changed since their backup (e.g. '
    || coalesce(min(a.customer_entity_id), 'none') || '): stitched again while the run was paused? Stop CPS, undo this runbook and generate a new one' AS detail
FROM external_data.rs_example_full_reset_entities_backup AS b
JOIN customer_attributes AS a ON a.customer_entity_id = b.customer_entity_id
WHERE NOT (a.modified IS NULL AND a.identifiers IS NULL)
  AND (a.modified IS DISTINCT FROM b.modified OR a.identifiers IS DISTINCT FROM b.identifiers)
UNION ALL
SELECT
  'no entity to reset was modified since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' entities modified after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_full_reset_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.customer_entity_id AS text) AS k, live.modified AS changed_at
  FROM external_data.rs_example_full_reset_entities_backup AS b
  JOIN customer_attributes AS live ON live.customer_entity_id = b.customer_entity_id
) AS w ON w.changed_at > s.taken_at;
