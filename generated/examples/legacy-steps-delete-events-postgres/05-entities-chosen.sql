-- restitch:step 5/21
-- restitch:kind check
-- restitch:title The entities to clean are chosen
--
-- Why: An empty or incomplete list would clean nothing, or the wrong customers.
-- Expect: ok = true on every row.

SELECT
  'entities to clean were chosen' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' entities in the working table' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean
UNION ALL
-- The ids are written here a second time, apart from the INSERT that loaded them, so a wrong,
-- dropped or extra id in the working table shows up.
SELECT
  'all 1 given entity ids are in the working table' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' given ids missing from the working table' AS detail
FROM (
  VALUES
  ('11111111-1111-4111-8111-111111111111')
) AS given (customer_entity_id)
WHERE NOT EXISTS (
  SELECT 1 FROM temp_table.rs_example_legacy_delete_entities_to_clean AS chosen
  WHERE CAST(chosen.customer_entity_id AS text) = given.customer_entity_id
)
UNION ALL
SELECT
  'the working table holds no other id (exactly 1)' AS check_name,
  count(*) = 1 AS ok,
  CAST(count(*) AS text) || ' ids in the working table' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean
UNION ALL
SELECT
  'every chosen entity has stitched events' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' ids not found in cdp_ps.matching' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean AS chosen
WHERE NOT EXISTS (
  SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_entity_id = chosen.customer_entity_id
);
