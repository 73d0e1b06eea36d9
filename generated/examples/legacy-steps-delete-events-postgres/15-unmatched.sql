-- restitch:step 15/21
-- restitch:kind check
-- restitch:title No matching row of these entities is left
--
-- Why: Proves Step 3 did what it promises.
-- Expect: ok = true on every row.

SELECT
  'no matching row of these entities is left' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows left' AS detail
FROM cdp_ps.matching AS m
WHERE m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e);
