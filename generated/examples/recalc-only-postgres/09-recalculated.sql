-- restitch:step 9/9
-- restitch:kind wait
-- restitch:title Wait until every chosen entity is calculated again
-- restitch:interval 30s
-- restitch:timeout 6h
--
-- Why: The runbook is finished when every entity has a new calculation.
-- Expect: ok = true once no chosen entity has calculated = NULL.
--
-- By hand: run the query every 30s until ok is true on every row; give up after 6h.

SELECT
  'every chosen entity has been calculated again' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities waiting for calculation' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_recalc_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.calculated IS NULL;
