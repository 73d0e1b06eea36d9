-- restitch:step 4/9
-- restitch:kind check
-- restitch:title Every chosen entity is loaded and exists
--
-- Why: A mistyped id would silently do nothing; a missing one stops the runbook here.
-- Expect: ok = true on every row.

-- The ids are not written here a second time: the table is compared with entities.txt by
-- count and by the sha256 of its ids sorted by their bytes, one a line, each ending in a
-- newline (what restitch computed from entities.txt), so a wrong, dropped or extra id shows up.
SELECT
  'the working table holds exactly the 2 ids of entities.txt' AS check_name,
  loaded.n = 2 AND coalesce(loaded.digest = 'ffb089d85d8f58daa0405678da7d0f0d53add49aeb5317a570059523b85fc412', false) AS ok,
  CAST(loaded.n AS text) || ' ids, sha256 ' || coalesce(loaded.digest, '(none)') || '; entities.txt holds 2, sha256 ffb089d85d8f58daa0405678da7d0f0d53add49aeb5317a570059523b85fc412' AS detail
FROM (
  SELECT count(*) AS n, sha256(string_agg(CAST(chosen.customer_entity_id AS text) || chr(10), '' ORDER BY CAST(chosen.customer_entity_id AS text))) AS digest
  FROM external_data.rs_example_recalc_entities AS chosen
) AS loaded
UNION ALL
SELECT
  'every chosen entity exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' ids not found in customer_attributes' AS detail
FROM external_data.rs_example_recalc_entities AS chosen
WHERE NOT EXISTS (
  SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = chosen.customer_entity_id
);
