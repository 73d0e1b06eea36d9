-- restitch:step 5/7
-- restitch:kind check
-- restitch:title Every entity is back as it was
--
-- Why: Compares every entity with its backup before any event is put back.
-- Expect: ok = true on every row.

SELECT
  'every backed-up entity still exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities were deleted by the clean-up routine and cannot be put back; nothing was restored: the way back is forward, re-stitching' AS detail
FROM external_data.rs_example_multi_entities_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = b.customer_entity_id)
UNION ALL
SELECT
  'every backed-up entity has its old values' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities differ from the backup' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_multi_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.modified IS DISTINCT FROM b.modified
  OR a.identifiers IS DISTINCT FROM b.identifiers;
