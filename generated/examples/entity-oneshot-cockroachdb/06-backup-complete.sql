-- restitch:step 6/11
-- restitch:kind check
-- restitch:title The entity and its events are backed up, and CPS has not run since the runbook began
-- restitch:recheck-on-resume
--
-- Why: Nothing may be reset that undo could not put back. An event CPS stitched into the entity
--   since CPS was disabled (enabled but idle, or during a pause) would un-mark it after the
--   one-shot statement, and the clean-up routine would never delete it. A resumed run checks
--   this again before it goes on.
-- Expect: ok = true on every row.

SELECT
  'the entity is backed up' AS check_name,
  count(*) = 1 AS ok,
  CAST(count(*) AS text) || ' row(s) in the backup' AS detail
FROM external_data.rs_example_oneshot_entities_backup
WHERE customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
UNION ALL
-- The other direction: undo puts back every entity of the backup, so a backup kept from another
-- version of this runbook (or changed by hand) would have undo write over an entity this run never
-- changed, and refuse once the clean-up routine has deleted it.
SELECT
  'the backup holds no other entity' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' other entities in the backup (e.g. ' || coalesce(min(customer_entity_id), 'none')
    || '). Nothing was changed. The backup was kept from another version of this runbook or changed by hand:'
    || ' finish or undo that run with its own runbook, or generate this one with another --incident' AS detail
FROM external_data.rs_example_oneshot_entities_backup
WHERE customer_entity_id <> '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
UNION ALL
SELECT
  'every event the one-shot statement will reset is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from the backup' AS detail
FROM customer_events
JOIN customer_attributes AS a
  ON a.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
  AND array_length(a.identifiers, 1) > 0
WHERE array_length(customer_events.identifiers, 1) > 0
  AND customer_events.identifiers <@ a.identifiers
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_oneshot_events_backup AS b WHERE b.id = customer_events.id)
UNION ALL
-- And the events the other way: undo puts back every backed-up event, so one the statement will
-- not reset (another entity's, from a backup kept from another version) would be written over.
SELECT
  'every backed-up event is one the one-shot statement will reset' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' backed-up events the statement will not reset (e.g. ' || coalesce(min(CAST(b.id AS text)), 'none')
    || '). Nothing was changed. The backup was kept from another version of this runbook or changed by hand:'
    || ' finish or undo that run with its own runbook, or generate this one with another --incident' AS detail
FROM external_data.rs_example_oneshot_events_backup AS b
LEFT JOIN customer_events AS e ON e.id = b.id
LEFT JOIN customer_attributes AS a ON a.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
WHERE NOT coalesce(array_length(e.identifiers, 1) > 0 AND array_length(a.identifiers, 1) > 0 AND e.identifiers <@ a.identifiers, false)
  -- Reset by the statement already (a resumed run re-checks this step after it).
  AND NOT (e.id IS NOT NULL AND e.stitched IS NULL AND e.identifiers IS NULL)
UNION ALL
SELECT
  'no entity to reset was modified since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' entities modified after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '084ebeb29f2ca424126d3909c7341d305b53b78cdcb614f5c4bfaa4b4abb93e8' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_oneshot_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.customer_entity_id AS text) AS k, live.modified AS changed_at
  FROM external_data.rs_example_oneshot_entities_backup AS b
  JOIN customer_attributes AS live ON live.customer_entity_id = b.customer_entity_id
) AS w ON w.changed_at > s.taken_at
UNION ALL
SELECT
  'no event to reset was stitched since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' events stitched after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '084ebeb29f2ca424126d3909c7341d305b53b78cdcb614f5c4bfaa4b4abb93e8' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_oneshot_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.id AS text) AS k, live.stitched AS changed_at
  FROM external_data.rs_example_oneshot_events_backup AS b
  JOIN customer_events AS live ON live.id = b.id
) AS w ON w.changed_at > s.taken_at;
