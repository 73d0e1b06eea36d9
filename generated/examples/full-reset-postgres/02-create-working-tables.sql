-- restitch:step 2/15
-- restitch:kind change
-- restitch:title Create the working schema and tables
--
-- Why: Working lists, backups and progress tables live in their own schema, apart from platform
--   data. Every statement is IF NOT EXISTS, so it is safe to repeat.
-- Expect: Run right after disabling CPS: its stamp is the start the checks for profile
--   stitching in the data compare with (restitch run stamps the time it recorded CPS disabled).
--   CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).

CREATE SCHEMA IF NOT EXISTS external_data;

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_entities_backup (
  customer_entity_id text,
  modified timestamptz,
  identifiers text[],
  PRIMARY KEY (customer_entity_id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_events_backup (
  id uuid,
  stitched timestamptz,
  identifiers text[],
  ord tid NOT NULL,
  PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS rs_example_full_reset_events_backup_ord ON external_data.rs_example_full_reset_events_backup (ord, id);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_entities_backup_done (
  id text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_events_backup_done (
  id uuid,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_entities_reset_done (
  id text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_events_reset_done (
  ord tid NOT NULL,
  id uuid,
  PRIMARY KEY (ord, id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_events_undo_done (
  ord tid NOT NULL,
  id uuid,
  PRIMARY KEY (ord, id)
);

CREATE TABLE IF NOT EXISTS external_data.rs_example_full_reset_backup_meta (
  fingerprint text,
  incident text,
  taken_at timestamptz,
  scope text,
  PRIMARY KEY (fingerprint)
);

-- The incident registry, one for every incident of this work schema (restitch_incidents): an
-- incident is open from this step of its forward run until that run or its undo is complete.
CREATE TABLE IF NOT EXISTS external_data.restitch_incidents (
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
INSERT INTO external_data.rs_example_full_reset_backup_meta (fingerprint, incident, taken_at, scope)
SELECT '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af', 'example-full-reset', coalesce(CAST(NULLIF(
  '' -- restitch:cps-disabled-at
  , '') AS timestamptz), now()), 'f4653c0f18be37b26373690fe4390201350b5e671578abf5a254d504c4e7edf6'
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_backup_meta AS other WHERE other.fingerprint <> '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af')
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_backup)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_backup)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_backup_done)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_backup_done)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_reset_done)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_reset_done)
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_undo_done)
ON CONFLICT (fingerprint) DO NOTHING;

-- This incident registers as the one changing this database, unless another is open (its
-- preflight, next, then refuses and names it). Registered once: a later run of this step, or of
-- another version of this runbook, keeps the time it began.
INSERT INTO external_data.restitch_incidents (incident, fingerprint, began_at)
SELECT 'example-full-reset', '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af', now()
WHERE NOT EXISTS (SELECT 1 FROM external_data.restitch_incidents AS other WHERE other.closed_at IS NULL AND other.incident <> 'example-full-reset')
ON CONFLICT (incident) DO NOTHING;
