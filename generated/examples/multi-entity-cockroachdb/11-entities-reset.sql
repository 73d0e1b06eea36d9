-- restitch:step 11/16
-- restitch:kind check
-- restitch:title Every backed-up entity is marked for deletion
--
-- Why: Proves the batch step covered every entity before anything else changes.
-- Expect: ok = true on both rows.

SELECT
  'every backed-up entity went through the reset' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) not processed yet' AS detail
FROM external_data.rs_example_multi_entities_backup AS src
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_entities_reset_done AS done WHERE done.id = src.customer_entity_id)
UNION ALL
SELECT
  'no backed-up entity still has modified or identifiers set' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities still set' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_multi_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.modified IS NOT NULL OR a.identifiers IS NOT NULL;
