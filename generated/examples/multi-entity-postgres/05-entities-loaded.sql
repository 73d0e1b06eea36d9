-- restitch:step 5/16
-- restitch:kind check
-- restitch:title Every chosen entity is loaded and exists
--
-- Why: A mistyped id would silently do nothing; a missing one stops the runbook here.
-- Expect: ok = true on both rows.

-- The ids are written here a second time, apart from the INSERT that loaded them, so a wrong,
-- dropped or extra id in the working table shows up.
SELECT
  'all 2 given entity ids are in the working table' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' given ids missing from the working table' AS detail
FROM (
  VALUES
  ('3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'),
  ('9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33')
) AS given (customer_entity_id)
WHERE NOT EXISTS (
  SELECT 1 FROM external_data.rs_example_multi_entities AS chosen
  WHERE CAST(chosen.customer_entity_id AS text) = given.customer_entity_id
)
UNION ALL
SELECT
  'the working table holds no other id (exactly 2)' AS check_name,
  count(*) = 2 AS ok,
  CAST(count(*) AS text) || ' ids in the working table' AS detail
FROM external_data.rs_example_multi_entities
UNION ALL
SELECT
  'every chosen entity exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' ids not found in customer_attributes' AS detail
FROM external_data.rs_example_multi_entities AS chosen
WHERE NOT EXISTS (
  SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = chosen.customer_entity_id
);
