-- restitch:step 4/9
-- restitch:kind check
-- restitch:title Every chosen entity is loaded and exists
--
-- Why: A mistyped id would silently do nothing; a missing one stops the runbook here.
-- Expect: ok = true on both rows.

SELECT
  'all 2 entity ids are loaded' AS check_name,
  count(*) = 2 AS ok,
  CAST(count(*) AS text) || ' ids in the working table' AS detail
FROM external_data.rs_example_recalc_entities
UNION ALL
SELECT
  'every chosen entity exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' ids not found in customer_attributes' AS detail
FROM external_data.rs_example_recalc_entities AS chosen
WHERE NOT EXISTS (
  SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = chosen.customer_entity_id
);
