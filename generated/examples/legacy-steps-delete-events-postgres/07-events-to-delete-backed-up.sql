-- restitch:step 7/21
-- restitch:kind check
-- restitch:title The events to delete are counted and backed up, and no entity loses all its events
--
-- Why: Nothing may be deleted that undo could not put back, and Step 0 deletes a subset: an
--   entity whose every event matched --delete-where would be purged, not re-stitched. Nor may
--   Step 0 run while CPS has matched events to these entities since the runbook began (enabled
--   but idle, or during a pause): Step 0 itself refuses then too, for a run resumed after this
--   check.
-- Expect: ok = true on every row.

SELECT
  'there are events to delete' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events of the chosen entities match --delete-where and are backed up' AS detail
FROM temp_table.rs_example_legacy_delete_deleted_events_backup
UNION ALL
SELECT
  'every event to delete is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from the backup' AS detail
FROM public.customer_events
WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b WHERE b.id = customer_events.id)
UNION ALL
SELECT
  'every backed-up event that still exists matches --delete-where now' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' backed-up events the condition no longer chooses (e.g. '
    || coalesce(min(b.id), 'none')
    || '): a backup of another version of this runbook, taken with another --delete-where; Step 0 would delete them' AS detail
FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b
WHERE EXISTS (SELECT 1 FROM cdp_ce.customer_events AS ce WHERE ce.id = b.id)
  AND NOT EXISTS (
    SELECT 1 FROM public.customer_events
    WHERE customer_events.id = b.id
      AND customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
  )
UNION ALL
SELECT
  'no entity loses every event (Step 0 deletes a subset, the rest is re-stitched)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities would keep no event; narrow --delete-where' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e
WHERE NOT EXISTS (
  SELECT 1 FROM public.customer_events
  WHERE customer_events.customer_entity_id::uuid = e.customer_entity_id
    AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b WHERE b.id = customer_events.id)
)
UNION ALL
SELECT
  'no event of these entities was stitched since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(cps.id) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(cps.id) AS text) || ' events of these entities that happened after ' || CAST(max(s.taken_at) AS text) || ' are matched'
      || coalesce(' (e.g. ' || min(cps.id) || '): only profile stitching writes cdp_ps.matching, so it ran while it should not: disable CPS; what it did since is in no list or backup of this runbook', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = 'b8ca0e5e92bc464cf37645e0794448816e0e3f0927814f81ec8dedcb09842c30' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_delete_backup_meta AS m) AS s
LEFT JOIN (
  SELECT cps.id
  FROM (
    SELECT ce.id, since.at
    FROM (
      SELECT s.taken_at AS at
      FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = 'b8ca0e5e92bc464cf37645e0794448816e0e3f0927814f81ec8dedcb09842c30' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_delete_backup_meta AS m) AS s
    ) AS since
    JOIN cdp_ps.matching AS m ON m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
    JOIN cdp_ce.customer_events AS ce ON ce.id = CAST(m.customer_event_id AS text) AND ce.event_time > since.at
    LIMIT 1000
  ) AS cps
) AS cps ON true;
