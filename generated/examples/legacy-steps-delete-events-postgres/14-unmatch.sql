-- restitch:step 14/21
-- restitch:kind change
-- restitch:title Step 3: delete the matching rows (un-stitch)
--
-- Why: Step 3 of the wiki: removing the rows from cdp_ps.matching un-stitches the events.
-- Expect: DELETE n.

-- Wiki Step 3: removing the matching rows un-stitches the events from these entities.
DELETE FROM cdp_ps.matching
WHERE matching.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e);
