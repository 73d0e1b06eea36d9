-- restitch:step 6/16
-- restitch:kind change
-- restitch:title Back up the entities to reset
--
-- Why: Step reset-entities changes these columns; the backup is what undo puts back, and its
--   identifiers choose the events to export next.
-- Expect: One INSERT succeeds; running again adds nothing (ON CONFLICT DO NOTHING).

-- The columns of the entities to reset that step reset-entities changes, before they change.
INSERT INTO external_data.rs_example_multi_entities_backup (customer_entity_id, modified, identifiers)
SELECT a.customer_entity_id, a.modified, a.identifiers
FROM customer_attributes AS a
JOIN external_data.rs_example_multi_entities AS chosen ON chosen.customer_entity_id = a.customer_entity_id
ON CONFLICT (customer_entity_id) DO NOTHING;
