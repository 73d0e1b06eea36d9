-- restitch:step 2/11
-- restitch:kind change
-- restitch:title Create the working schema and tables
--
-- Why: Working lists, backups and progress tables live in their own schema, apart from platform
--   data. Every statement is IF NOT EXISTS, so it is safe to repeat.
-- Expect: CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).

CREATE SCHEMA IF NOT EXISTS external_data;

CREATE TABLE IF NOT EXISTS external_data.rs_example_oneshot_entities_backup (
  customer_entity_id text,
  modified timestamptz,
  PRIMARY KEY (customer_entity_id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_oneshot_events_backup (
  id uuid,
  stitched timestamptz,
  identifiers text[],
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_oneshot_events_undo_done (
  id uuid,
  PRIMARY KEY (id)
);
