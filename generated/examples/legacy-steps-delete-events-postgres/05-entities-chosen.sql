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
-- The ids are not written here a second time: the table is compared with entities.txt by
-- count and by the sha256 of its ids sorted by their bytes, one a line, each ending in a
-- newline (what restitch computed from entities.txt), so a wrong, dropped or extra id shows up.
SELECT
  'the working table holds exactly the 1 ids of entities.txt' AS check_name,
  loaded.n = 1 AND coalesce(loaded.digest = 'cab35d30eee0daac4a2fa08368e9e6c6d2e6ea431a03ce3a9ccd562da18699b8', false) AS ok,
  CAST(loaded.n AS text) || ' ids, sha256 ' || coalesce(loaded.digest, '(none)') || '; entities.txt holds 1, sha256 cab35d30eee0daac4a2fa08368e9e6c6d2e6ea431a03ce3a9ccd562da18699b8' AS detail
FROM (
  SELECT count(*) AS n, encode(sha256(convert_to(string_agg(CAST(chosen.customer_entity_id AS text) || chr(10), '' ORDER BY CAST(chosen.customer_entity_id AS text) COLLATE "C"), 'UTF8')), 'hex') AS digest
  FROM temp_table.rs_example_legacy_delete_entities_to_clean AS chosen
) AS loaded
UNION ALL
SELECT
  'every chosen entity has stitched events' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' ids not found in cdp_ps.matching' AS detail
FROM temp_table.rs_example_legacy_delete_entities_to_clean AS chosen
WHERE NOT EXISTS (
  SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_entity_id = chosen.customer_entity_id
);
