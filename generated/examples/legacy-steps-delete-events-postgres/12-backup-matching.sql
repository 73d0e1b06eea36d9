-- restitch:step 12/21
-- restitch:kind change
-- restitch:title Back up the matching rows Step 3 deletes (whole rows)
--
-- Why: Undo puts the matching rows back from this copy.
-- Expect: INSERT succeeds; a second run adds nothing.

-- Whole rows of cdp_ps.matching that Step 3 deletes. Runs once, like the events backup.
INSERT INTO temp_table.rs_example_legacy_delete_matching_backup
SELECT m.*
FROM cdp_ps.matching AS m
WHERE m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_delete_matching_backup);
