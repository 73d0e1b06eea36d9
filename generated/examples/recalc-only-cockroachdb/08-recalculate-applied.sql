-- restitch:step 8/9
-- restitch:kind check
-- restitch:title Every chosen entity is waiting for a new calculation
--
-- Why: Proves the batch step covered every entity.
-- Expect: ok = true on both rows.

SELECT
  'every backed-up entity went through the reset' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) not processed yet' AS detail
FROM external_data.rs_example_recalc_entities_backup AS src
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_recalc_entities_reset_done AS done WHERE done.id = src.customer_entity_id)
UNION ALL
SELECT
  'every entity is waiting for, or has had, a new calculation' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities still carry the old calculated value' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_recalc_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.calculated IS NOT NULL
  AND a.calculated = b.calculated;
