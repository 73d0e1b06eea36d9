-- restitch:step 2/7
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
    ('', 'customer_attributes', 'customer_entity_id', 'text'),
    ('', 'customer_attributes', 'modified', 'timestamp with time zone'),
    ('', 'customer_attributes', 'calculated', 'timestamp with time zone'),
    ('', 'customer_attributes', 'identifiers', 'ARRAY'),
    ('', 'customer_events', 'id', 'uuid'),
    ('', 'customer_events', 'stitched', 'timestamp with time zone'),
    ('', 'customer_events', 'identifiers', 'ARRAY'),
    ('', 'customer_events', 'event_time', ''),
    ('external_data', 'rs_example_window_entities', 'customer_entity_id', 'text'),
    ('external_data', 'rs_example_window_entities_backup', 'customer_entity_id', 'text'),
    ('external_data', 'rs_example_window_entities_backup', 'modified', 'timestamp with time zone'),
    ('external_data', 'rs_example_window_entities_backup', 'identifiers', 'ARRAY'),
    ('external_data', 'rs_example_window_events_backup', 'id', 'uuid'),
    ('external_data', 'rs_example_window_events_backup', 'stitched', 'timestamp with time zone'),
    ('external_data', 'rs_example_window_events_backup', 'identifiers', 'ARRAY'),
    ('external_data', 'rs_example_window_events_backup', 'ord', 'tid'),
    ('external_data', 'rs_example_window_entities_reset_done', 'id', 'text'),
    ('external_data', 'rs_example_window_events_reset_done', 'ord', 'tid'),
    ('external_data', 'rs_example_window_events_reset_done', 'id', 'uuid'),
    ('external_data', 'rs_example_window_events_undo_done', 'ord', 'tid'),
    ('external_data', 'rs_example_window_events_undo_done', 'id', 'uuid'),
    ('external_data', 'rs_example_window_backup_meta', 'fingerprint', 'text'),
    ('external_data', 'rs_example_window_backup_meta', 'incident', 'text'),
    ('external_data', 'rs_example_window_backup_meta', 'taken_at', 'timestamp with time zone'),
    ('external_data', 'rs_example_window_backup_meta', 'scope', 'text'),
    ('external_data', 'restitch_incidents', 'incident', 'text'),
    ('external_data', 'restitch_incidents', 'fingerprint', 'text'),
    ('external_data', 'restitch_incidents', 'began_at', 'timestamp with time zone'),
    ('external_data', 'restitch_incidents', 'closed_at', 'timestamp with time zone'),
    ('external_data', 'restitch_incidents', 'closed_how', 'text')
) AS expected (table_schema, table_name, column_name, data_type)
WHERE NOT EXISTS (
  SELECT 1
  FROM information_schema.columns AS c
  WHERE c.table_name = expected.table_name
    AND c.column_name = expected.column_name
    AND (expected.table_schema = '' OR c.table_schema = expected.table_schema)
    AND (expected.data_type = '' OR c.data_type = expected.data_type)
);
