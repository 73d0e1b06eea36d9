-- restitch:step 4/21
-- restitch:kind change
-- restitch:title Step 1: load the entities to clean
--
-- Why: Many entity ids go into a working table that later statements join, instead of a giant
--   IN list.
-- Expect: INSERT statements succeed; ids already there are skipped (ON CONFLICT DO NOTHING).

INSERT INTO temp_table.rs_example_legacy_delete_entities_to_clean (customer_entity_id)
VALUES
  ('11111111-1111-4111-8111-111111111111')
ON CONFLICT (customer_entity_id) DO NOTHING;
