-- restitch:step 3/3
-- restitch:kind check
-- restitch:title Every entity is back as it was
--
-- Why: Compares every entity with its backup.
-- Expect: ok = true on every row.

SELECT
  'every backed-up entity still exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities are gone (e.g. ' || coalesce(min(b.customer_entity_id), 'none') || ')'
    || ': they cannot be put back'
    AS detail
FROM external_data.rs_example_recalc_entities_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = b.customer_entity_id)
UNION ALL
SELECT
  'every backed-up entity has its old values' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities differ from the backup (e.g. ' || coalesce(min(a.customer_entity_id), 'none') || ')' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_recalc_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.calculated IS DISTINCT FROM b.calculated;
