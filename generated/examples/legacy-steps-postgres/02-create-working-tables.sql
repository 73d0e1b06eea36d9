-- restitch:step 2/17
-- restitch:kind change
-- restitch:title Create the working schema and tables
--
-- Why: Working lists, backups and progress tables live in their own schema, apart from platform
--   data. Every statement is IF NOT EXISTS, so it is safe to repeat.
-- Expect: Run right after disabling CPS: its stamp is the start the checks for profile
--   stitching in the data compare with (restitch run stamps the time it recorded CPS disabled).
--   CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).

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
  queued_at timestamptz,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS temp_table.rs_example_legacy_backup_meta (
  fingerprint text,
  incident text,
  taken_at timestamptz,
  scope text,
  PRIMARY KEY (fingerprint)
);

-- The incident registry, one for every incident of this work schema (restitch_incidents): an
-- incident is open from this step of its forward run until that run or its undo is complete.
CREATE TABLE IF NOT EXISTS temp_table.restitch_incidents (
  incident text,
  fingerprint text NOT NULL,
  began_at timestamptz NOT NULL,
  closed_at timestamptz,
  closed_how text,
  PRIMARY KEY (incident)
);

-- The stamp: the version of this runbook (sha256 of its inputs, which manifest.json holds) that
-- uses these working tables, which rows it backs up and changes (its scope: the entities, the
-- event filter, --delete-where), and when its run began, before any backup is taken. It is written
-- only while no other version has stamped them and they hold no row; the preflight refuses to go
-- on without it, so backups another run left behind are never taken for this run's.
-- Its start (taken_at) is what the checks for profile stitching in the data compare with: by hand
-- now(), so run this step right after disabling CPS; restitch run writes on the marked line the
-- time it recorded the step before this one (disabling CPS) done, so that what CPS did in a pause
-- between the two is seen. An empty value means now().
-- CockroachDB writes to a table created in the same transaction:
-- https://www.cockroachlabs.com/docs/v20.1/online-schema-changes#run-schema-changes-inside-a-transaction-with-create-table
INSERT INTO temp_table.rs_example_legacy_backup_meta (fingerprint, incident, taken_at, scope)
SELECT '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9', 'example-legacy', coalesce(CAST(NULLIF(
  '' -- restitch:cps-disabled-at
  , '') AS timestamptz), now()), 'a8ad4355394809e87c121e7c67cea3e00a3f2c8b9b39c52b0dcb20993fae3d63'
WHERE NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_backup_meta AS other WHERE other.fingerprint <> '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9')
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_entities_to_clean)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_events_to_clean)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_matching_backup)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_audit_queued)
  AND NOT EXISTS (SELECT 1 FROM temp_table.rs_example_legacy_events_queued)
ON CONFLICT (fingerprint) DO NOTHING;

-- This incident registers as the one changing this database, unless another is open (its
-- preflight, next, then refuses and names it). Registered once: a later run of this step, or of
-- another version of this runbook, keeps the time it began.
INSERT INTO temp_table.restitch_incidents (incident, fingerprint, began_at)
SELECT 'example-legacy', '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9', now()
WHERE NOT EXISTS (SELECT 1 FROM temp_table.restitch_incidents AS other WHERE other.closed_at IS NULL AND other.incident <> 'example-legacy')
ON CONFLICT (incident) DO NOTHING;
