-- restitch:step 3/7
-- restitch:kind check
-- restitch:title Everything undo puts back still has a place to go
--
-- Why: An entity the clean-up routine has deleted cannot come back, and events put back for it
--   would belong to no entity; an event CPS has stitched again must not be overwritten. Then
--   undo no longer applies and nothing may change: the way back is forward, re-stitching.
-- Expect: ok = true on every row; otherwise stop here, nothing has changed.

-- Undo applies only while everything it puts back still has a place to go. A row that is not ok
-- means the runbook is past its point of no return: stop here, nothing has changed. The way back
-- is forward: re-stitching (run the runbook on to its end).
SELECT
  'every backed-up entity still exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities already deleted by the clean-up routine' AS detail
FROM external_data.rs_example_multi_entities_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = b.customer_entity_id)
UNION ALL
SELECT
  'no backed-up event has been stitched again since the backup' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events stitched again by CPS' AS detail
FROM customer_events AS e
JOIN external_data.rs_example_multi_events_backup AS b ON b.id = e.id
WHERE e.stitched IS NOT NULL
  AND e.stitched IS DISTINCT FROM b.stitched
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
FROM external_data.restitch_incidents AS other
JOIN external_data.restitch_incidents AS mine ON mine.incident = 'example-multi'
WHERE other.incident <> mine.incident
  AND other.began_at > mine.began_at;
