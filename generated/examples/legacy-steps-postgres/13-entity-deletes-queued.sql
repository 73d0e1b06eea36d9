-- restitch:step 13/17
-- restitch:kind check
-- restitch:title Every entity has its delete action queued
--
-- Why: Proves Step 4 covered every entity.
-- Expect: ok = true on every row.

SELECT
  'every entity to clean has its delete action queued' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities not queued' AS detail
FROM temp_table.rs_example_legacy_entities_to_clean AS e
WHERE NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_audit_queued AS q WHERE q.customer_entity_id = e.customer_entity_id);
