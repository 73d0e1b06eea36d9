-- restitch:step 5/9
-- restitch:kind change
-- restitch:title Back up calculated of the chosen entities
--
-- Why: The next step changes calculated; the backup is what undo puts back.
-- Expect: INSERT succeeds; running again adds nothing.

-- Exactly the column the next step changes: calculated, for the chosen entities.
INSERT INTO external_data.rs_example_recalc_entities_backup (customer_entity_id, calculated)
SELECT a.customer_entity_id, a.calculated
FROM customer_attributes AS a
JOIN external_data.rs_example_recalc_entities AS chosen ON chosen.customer_entity_id = a.customer_entity_id
ON CONFLICT (customer_entity_id) DO NOTHING;
