-- restitch:step 6/15
-- restitch:kind check
-- restitch:title Every stitched entity is backed up
--
-- Why: Nothing may be reset that undo could not put back.
-- Expect: ok = true.

SELECT
  'every stitched entity is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities missing from the backup' AS detail
FROM customer_attributes AS a
WHERE (a.modified IS NOT NULL OR a.identifiers IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_backup AS b WHERE b.customer_entity_id = a.customer_entity_id);
