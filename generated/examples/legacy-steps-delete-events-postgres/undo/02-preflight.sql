-- restitch:step 2/5
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
    ('temp_table', 'rs_example_legacy_delete_entities_to_clean', 'customer_entity_id', 'uuid'),
    ('temp_table', 'rs_example_legacy_delete_events_to_clean', 'id', 'uuid'),
    ('temp_table', 'rs_example_legacy_delete_matching_backup', 'customer_event_id', ''),
    ('temp_table', 'rs_example_legacy_delete_audit_queued', 'customer_entity_id', 'uuid'),
    ('temp_table', 'rs_example_legacy_delete_events_queued', 'id', 'uuid'),
    ('temp_table', 'rs_example_legacy_delete_events_queued', 'queued_at', 'timestamp with time zone'),
    ('temp_table', 'rs_example_legacy_delete_deleted_events_backup', 'id', ''),
    ('temp_table', 'rs_example_legacy_delete_backup_meta', 'fingerprint', 'text'),
    ('temp_table', 'rs_example_legacy_delete_backup_meta', 'incident', 'text'),
    ('temp_table', 'rs_example_legacy_delete_backup_meta', 'taken_at', 'timestamp with time zone'),
    ('temp_table', 'rs_example_legacy_delete_backup_meta', 'scope', 'text'),
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
