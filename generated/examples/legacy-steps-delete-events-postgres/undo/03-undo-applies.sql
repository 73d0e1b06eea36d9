-- restitch:step 3/5
-- restitch:kind check
-- restitch:title Nothing was queued yet: undo can still put everything back
--
-- Why: Once a delete action is queued, the clean-up routine may clean the entity at any moment,
--   and no backup holds what it cleans. Then undo no longer applies and nothing may change: the
--   way back is forward.
-- Expect: ok = true on both rows; otherwise stop here, nothing has changed.

-- Undo puts back the matching rows and the deleted events from their backups. It cannot put back what
-- the clean-up routine cleans for an entity once it has processed the entity's delete action,
-- and once an action is queued nothing can tell for sure that it has not: undo applies only
-- while this runbook has queued nothing. A row that is not ok: stop here, nothing has changed;
-- the way back is forward (run the runbook on to its end).
SELECT
  'no delete action was queued for these entities (Step 4)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' delete actions queued: the clean-up routine may already have cleaned these entities' AS detail
FROM temp_table.rs_example_legacy_delete_audit_queued
UNION ALL
SELECT
  'no event was queued for stitching (Step 5)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events queued' AS detail
FROM temp_table.rs_example_legacy_delete_events_queued
UNION ALL
SELECT
  'no other incident began changing this database since this one' AS check_name,
  count(*) = 0 AS ok,
  CASE
    WHEN count(*) = 0 THEN 'none'
    ELSE string_agg('incident ' || other.incident || ' (version ' || substr(other.fingerprint, 1, 12) || ') began ' || CAST(other.began_at AS text), ', ')
      || ', after this one: putting this one''s backups back could undo its changes. Nothing was changed; undo no longer applies.'
      || ' The way back is forward: finish this incident''s run and that one''s'
  END AS detail
FROM temp_table.restitch_incidents AS other
JOIN temp_table.restitch_incidents AS mine ON mine.incident = 'example-legacy-delete'
WHERE other.incident <> mine.incident
  AND other.began_at > mine.began_at;
