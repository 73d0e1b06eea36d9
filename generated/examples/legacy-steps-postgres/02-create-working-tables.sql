-- restitch:step 2/17
-- restitch:kind change
-- restitch:title Create the working schema and tables
--
-- Why: Working lists, backups and progress tables live in their own schema, apart from platform
--   data. Every statement is IF NOT EXISTS, so it is safe to repeat.
-- Expect: CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).

CREATE SCHEMA IF NOT EXISTS temp_table;

CREATE TABLE IF NOT EXISTS temp_table.rs_example_legacy_entities_to_clean (
  customer_entity_id uuid,
  PRIMARY KEY (customer_entity_id)
);

CREATE TABLE IF NOT EXISTS temp_table.rs_example_legacy_events_to_clean (
  id uuid,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS temp_table.rs_example_legacy_matching_backup AS
SELECT * FROM cdp_ps.matching
WITH NO DATA;

CREATE TABLE IF NOT EXISTS temp_table.rs_example_legacy_audit_queued (
  customer_entity_id uuid,
  PRIMARY KEY (customer_entity_id)
);

CREATE TABLE IF NOT EXISTS temp_table.rs_example_legacy_events_queued (
  id uuid,
  PRIMARY KEY (id)
);
