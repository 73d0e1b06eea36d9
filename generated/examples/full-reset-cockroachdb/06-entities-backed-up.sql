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
-- undo must put back nor which events belong to it. A resumed run checks this again.
SELECT
  'every stitched entity is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities missing from the backup (e.g. ' || coalesce(min(a.customer_entity_id), 'none') || ')' AS detail
FROM customer_attributes AS a
WHERE (a.modified IS NOT NULL OR a.identifiers IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_backup AS b WHERE b.customer_entity_id = a.customer_entity_id)
UNION ALL
SELECT
  'every backed-up entity is still as backed up (nothing stitched it since)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities changed since their backup (e.g. '
    || coalesce(min(a.customer_entity_id), 'none') || '): stitched again while the run was paused? Stop CPS, undo this runbook and generate a new one' AS detail
FROM external_data.rs_example_full_reset_entities_backup AS b
JOIN customer_attributes AS a ON a.customer_entity_id = b.customer_entity_id
WHERE NOT (a.modified IS NULL AND a.identifiers IS NULL)
  AND (a.modified IS DISTINCT FROM b.modified OR a.identifiers IS DISTINCT FROM b.identifiers);
