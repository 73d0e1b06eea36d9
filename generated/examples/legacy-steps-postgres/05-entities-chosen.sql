-- restitch:step 5/17
-- restitch:kind check
-- restitch:title The entities to clean are chosen
--
-- Why: An empty or incomplete list would clean nothing, or the wrong customers.
-- Expect: ok = true on every row.

SELECT
  'entities to clean were chosen' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' entities in the working table' AS detail
FROM temp_table.rs_example_legacy_entities_to_clean;
