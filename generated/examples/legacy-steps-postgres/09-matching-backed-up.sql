-- restitch:step 9/17
-- restitch:kind check
-- restitch:title The matching rows are backed up
-- restitch:recheck-on-resume
--
-- Why: Nothing may be deleted that undo could not put back, and an event CPS matched to these
--   entities since the runbook began (enabled but idle, or during a pause) would be un-matched
--   by Step 3 without being listed for Step 5. A resumed run checks this again before it goes
--   on.
-- Expect: ok = true on every row.

SELECT
  'every matching row of these entities is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows missing from the backup' AS detail
FROM cdp_ps.matching AS m
WHERE m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_entities_to_clean AS e)
  AND NOT EXISTS (
    SELECT 1 FROM temp_table.rs_example_legacy_matching_backup AS b
    WHERE b.customer_event_id = m.customer_event_id
      AND b.customer_entity_id = m.customer_entity_id
  )
UNION ALL
SELECT
  'every backed-up matching row belongs to an entity to clean' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' backed-up rows of other entities (e.g. '
    || coalesce(CAST(min(CAST(b.customer_entity_id AS text)) AS text), 'none')
    || '): a backup of another version of this runbook, for another set of entities; undo would put them back' AS detail
FROM temp_table.rs_example_legacy_matching_backup AS b
WHERE b.customer_entity_id NOT IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_entities_to_clean AS e)
UNION ALL
SELECT
  'no event of these entities was stitched since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(cps.id) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(cps.id) AS text) || ' events of these entities that happened after ' || CAST(max(s.taken_at) AS text) || ' are matched'
      || coalesce(' (e.g. ' || min(cps.id) || '): only profile stitching writes cdp_ps.matching, so it ran while it should not: disable CPS; what it did since is in no list or backup of this runbook', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_backup_meta AS m) AS s
LEFT JOIN (
  SELECT cps.id
  FROM (
    SELECT ce.id, since.at
    FROM (
      SELECT s.taken_at AS at
      FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_backup_meta AS m) AS s
    ) AS since
    JOIN cdp_ps.matching AS m ON m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_entities_to_clean AS e)
    JOIN cdp_ce.customer_events AS ce ON ce.id = CAST(m.customer_event_id AS text) AND ce.event_time > since.at
    LIMIT 1000
  ) AS cps
) AS cps ON true;
