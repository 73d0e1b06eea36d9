-- restitch:step 2/8
-- restitch:kind change
-- restitch:title Create the working schema and tables
--
-- Why: Working lists, backups and progress tables live in their own schema, apart from platform
--   data. Every statement is IF NOT EXISTS, so it is safe to repeat.
-- Expect: CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).

CREATE SCHEMA IF NOT EXISTS temp_table;

CREATE TABLE IF NOT EXISTS temp_table.rs_example_orphans_orphans_queued (
  id uuid,
  PRIMARY KEY (id)
);
