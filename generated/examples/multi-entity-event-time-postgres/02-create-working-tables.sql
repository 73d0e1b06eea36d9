-- restitch:step 2/14
-- restitch:kind change
-- restitch:title Create the working schema and tables
--
-- Why: Working lists, backups and progress tables live in their own schema, apart from platform
--   data. Every statement is IF NOT EXISTS, so it is safe to repeat.
-- Expect: CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).

CREATE SCHEMA IF NOT EXISTS external_data;

CREATE TABLE IF NOT EXISTS external_data.rs_example_window_entities (
  customer_entity_id text,
  PRIMARY KEY (customer_entity_id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_window_entities_backup (
  customer_entity_id text,
  modified timestamptz,
  identifiers text[],
  PRIMARY KEY (customer_entity_id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_window_events_backup (
  id uuid,
  stitched timestamptz,
  identifiers text[],
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_window_entities_reset_done (
  id text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_window_events_reset_done (
  id uuid,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_window_events_undo_done (
  id uuid,
  PRIMARY KEY (id)
);
