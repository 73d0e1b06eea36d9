-- restitch:step 17/21
-- restitch:kind check
-- restitch:title Every entity has its delete action queued
--
-- Why: Proves Step 4 covered every entity.
-- Expect: ok = true on every row.

-- The record table says what this runbook queued; cdp_attr.customer_entities_audit says what
-- the platform will act on. Both must hold every entity.
SELECT
  'every entity to clean is recorded as queued' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities not recorded' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e
WHERE NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_audit_queued AS q WHERE q.customer_entity_id = e.customer_entity_id)
UNION ALL
SELECT
  'every entity to clean has a delete action in cdp_attr.customer_entities_audit' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities without a delete row' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e
WHERE NOT EXISTS (
  SELECT 1 FROM cdp_attr.customer_entities_audit AS a
  WHERE a.customer_entity_id = e.customer_entity_id
    AND a.action = 'delete'
);
