-- restitch:step 9/17
-- restitch:kind check
-- restitch:title The matching rows are backed up
--
-- Why: Nothing may be deleted that undo could not put back.
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
WHERE b.customer_entity_id NOT IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_entities_to_clean AS e);
