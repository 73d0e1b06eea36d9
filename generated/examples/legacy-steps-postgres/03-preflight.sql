-- restitch:step 3/17
-- restitch:kind check
-- restitch:title Preflight: CPS is stopped and every table is in place
--
-- Why: Nothing may change while a 'Meiro CPS' session is connected, and a wrong database or an
--   unexpected column type must stop the runbook before it writes.
-- Expect: Every row has ok = true.

-- End them with: SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'Meiro CPS';
SELECT
  'no Meiro CPS session is connected' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' Meiro CPS session(s) in pg_stat_activity' AS detail
FROM pg_stat_activity
WHERE application_name = 'Meiro CPS'
  AND pid <> pg_backend_pid()
UNION ALL
SELECT
  'no other version of this runbook has used its working tables' AS check_name,
  count(*) = 0 AS ok,
  CASE
    WHEN count(*) = 0 THEN 'none'
    ELSE string_agg('version ' || substr(other.fingerprint, 1, 12) || ' since ' || CAST(other.taken_at AS text), ', ')
      || ': finish or undo that run, choose another --incident, or generate again with --reuse-backups to go on with its backups'
      || ' (the backed-up checks stop a version that chooses other rows before it changes any)'
  END AS detail
FROM temp_table.rs_example_legacy_backup_meta AS other
WHERE other.fingerprint <> '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9'
UNION ALL
SELECT
  'the working tables are stamped with this version of the runbook' AS check_name,
  count(*) = 1 AS ok,
  CASE
    WHEN count(*) = 1 THEN 'stamped since ' || CAST(max(this_version.taken_at) AS text)
    ELSE 'not stamped: they hold rows of another run (another version, an older restitch, or by hand)'
  END AS detail
FROM temp_table.rs_example_legacy_backup_meta AS this_version
WHERE this_version.fingerprint = '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9'
UNION ALL
SELECT
  'no other incident is changing this database' AS check_name,
  count(*) = 0 AS ok,
  CASE
    WHEN count(*) = 0 THEN 'none open'
    ELSE string_agg('incident ' || other.incident || ' (version ' || substr(other.fingerprint, 1, 12) || ', began ' || CAST(other.began_at AS text) || ')', ', ')
      || ' is open: its events may share identifiers with this one''s, and the two would undo each other''s work. Nothing was changed.'
      || ' Finish it (restitch run <its directory>) or undo it (restitch run <its directory> --undo); that closes it.'
      || ' If it was abandoned, close it with restitch release-incident <this directory> --incident <its incident> (recorded in the journal history),'
      || ' then run this runbook again from its step 2'
  END AS detail
FROM temp_table.restitch_incidents AS other
WHERE other.closed_at IS NULL
  AND other.incident <> 'example-legacy'
UNION ALL
SELECT
  'this incident is registered as the one changing this database' AS check_name,
  count(*) FILTER (WHERE mine.closed_at IS NULL) = 1 AS ok,
  CASE
    WHEN count(*) = 0 THEN 'not registered (step 2 found another incident open): once it is closed, run this runbook again from its step 2'
    WHEN max(mine.closed_at) IS NULL THEN 'registered since ' || CAST(max(mine.began_at) AS text)
    ELSE 'closed ' || CAST(max(mine.closed_at) AS text) || ' (' || coalesce(max(mine.closed_how), '') || '): this incident is over; to reset again, generate a runbook with another --incident'
  END AS detail
FROM temp_table.restitch_incidents AS mine
WHERE mine.incident = 'example-legacy'
UNION ALL
SELECT
  'every table and column this runbook uses exists, with the assumed type' AS check_name,
  count(*) = 0 AS ok,
  coalesce(string_agg(expected.table_name || '.' || expected.column_name || ' ' || expected.data_type, ', '), '') AS detail
FROM (
  VALUES
    ('cdp_ce', 'customer_events', 'id', ''),
    ('public', 'customer_events', 'id', ''),
    ('public', 'customer_events', 'customer_entity_id', ''),
    ('cdp_ps', 'matching', 'customer_event_id', 'uuid'),
    ('cdp_ps', 'matching', 'customer_entity_id', 'uuid'),
    ('cdp_attr', 'customer_entities_audit', 'customer_entity_id', 'uuid'),
    ('cdp_attr', 'customer_entities_audit', 'created', ''),
    ('cdp_attr', 'customer_entities_audit', 'action', ''),
    ('cdp_ps', 'customer_events_to_process', 'customer_event_id', 'uuid'),
    ('cdp_ps', 'customer_events_to_process', 'created', ''),
    ('temp_table', 'rs_example_legacy_entities_to_clean', 'customer_entity_id', 'uuid'),
    ('temp_table', 'rs_example_legacy_events_to_clean', 'id', 'uuid'),
    ('temp_table', 'rs_example_legacy_matching_backup', 'customer_event_id', ''),
    ('temp_table', 'rs_example_legacy_audit_queued', 'customer_entity_id', 'uuid'),
    ('temp_table', 'rs_example_legacy_events_queued', 'id', 'uuid'),
    ('temp_table', 'rs_example_legacy_events_queued', 'queued_at', 'timestamp with time zone'),
    ('temp_table', 'rs_example_legacy_backup_meta', 'fingerprint', 'text'),
    ('temp_table', 'rs_example_legacy_backup_meta', 'incident', 'text'),
    ('temp_table', 'rs_example_legacy_backup_meta', 'taken_at', 'timestamp with time zone'),
    ('temp_table', 'rs_example_legacy_backup_meta', 'scope', 'text'),
    ('temp_table', 'restitch_incidents', 'incident', 'text'),
    ('temp_table', 'restitch_incidents', 'fingerprint', 'text'),
    ('temp_table', 'restitch_incidents', 'began_at', 'timestamp with time zone'),
    ('temp_table', 'restitch_incidents', 'closed_at', 'timestamp with time zone'),
    ('temp_table', 'restitch_incidents', 'closed_how', 'text')
) AS expected (table_schema, table_name, column_name, data_type)
WHERE NOT EXISTS (
  SELECT 1
  FROM information_schema.columns AS c
  WHERE c.table_name = expected.table_name
    AND c.column_name = expected.column_name
    AND (expected.table_schema = '' OR c.table_schema = expected.table_schema)
    AND (expected.data_type = '' OR c.data_type = expected.data_type)
);
