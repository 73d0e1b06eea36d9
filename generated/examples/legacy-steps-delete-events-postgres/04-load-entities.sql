-- restitch:step 4/21
-- restitch:kind change
-- restitch:title Step 1: load the entities to clean
--
-- Why: Many entity ids go into a working table that later statements join, instead of a giant
--   IN list.
-- Expect: INSERT statements succeed; ids already there are skipped (ON CONFLICT DO NOTHING).

INSERT INTO temp_table.rs_example_legacy_delete_entities_to_clean (customer_entity_id)
VALUES
  ('9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33')
ON CONFLICT (customer_entity_id) DO NOTHING;
