-- restitch:step 4/16
-- restitch:kind change
-- restitch:title Load the chosen entity ids into the working table
--
-- Why: Many entity ids go into a working table that later statements join, instead of a giant
--   IN list.
-- Expect: INSERT statements succeed; ids already there are skipped (ON CONFLICT DO NOTHING).

INSERT INTO external_data.rs_example_window_entities (customer_entity_id)
VALUES
  ('3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'),
  ('9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33')
ON CONFLICT (customer_entity_id) DO NOTHING;
