-- restitch:step 2/7
-- restitch:kind check
-- restitch:title Preflight: CPS is stopped and every table is in place
--
-- Why: Nothing may change while a 'Meiro CPS' session is connected, and a wrong database or an
--   unexpected column type must stop the runbook before it writes.
-- Expect: Every row has ok = true.

-- pg_stat_activity is empty on CockroachDB; SHOW CLUSTER SESSIONS lists the sessions of every node,
-- closed ones too (status 'CLOSED', kept for a while): only ACTIVE and IDLE sessions are connected
-- (as CockroachDB reads it: pkg/sql/sessionprotectedts/session_protected_ts.go in cockroachdb/cockroach).
-- A SHOW statement, not crdb_internal: CockroachDB refuses crdb_internal from v26.2 (allow_unsafe_internals).
-- End them with: CANCEL SESSIONS (SELECT session_id FROM [SHOW CLUSTER SESSIONS] WHERE application_name = 'Meiro CPS' AND status IN ('ACTIVE', 'IDLE'));
SELECT
  'no Meiro CPS session is connected' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' Meiro CPS session(s) in SHOW CLUSTER SESSIONS' AS detail
FROM [SHOW CLUSTER SESSIONS]
WHERE application_name = 'Meiro CPS'
  AND status IN ('ACTIVE', 'IDLE')
UNION ALL
-- The CPS check above counts sessions of another database user: a user without the right to see
-- other users' sessions sees none of them, and the check would pass while CPS runs. This row
-- fails unless this session sees every user's sessions, and names the grant to ask for.
SELECT
  'this user sees every user''s sessions' AS check_name,
  s.visible AS ok,
  CASE WHEN s.visible THEN current_user || ' sees every user''s sessions'
    ELSE current_user || ' sees only its own sessions; ask for: ' || replace('GRANT SYSTEM VIEWACTIVITY TO <user>;', '<user>', current_user) END AS detail
FROM (SELECT (pg_has_role(current_user, 'admin', 'MEMBER')
    OR EXISTS (
      SELECT 1 FROM [SHOW SYSTEM GRANTS] AS g
      WHERE g.privilege_type IN ('VIEWACTIVITY', 'VIEWACTIVITYREDACTED', 'ALL')
        AND CASE WHEN g.grantee IN (current_user, 'public') THEN true ELSE pg_has_role(current_user, g.grantee, 'MEMBER') END)) AS visible) AS s
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
    ('external_data', 'rs_example_multi_entities', 'customer_entity_id', 'text'),
    ('external_data', 'rs_example_multi_entities_backup', 'customer_entity_id', 'text'),
    ('external_data', 'rs_example_multi_entities_backup', 'modified', 'timestamp with time zone'),
    ('external_data', 'rs_example_multi_entities_backup', 'identifiers', 'ARRAY'),
    ('external_data', 'rs_example_multi_events_backup', 'id', 'uuid'),
    ('external_data', 'rs_example_multi_events_backup', 'stitched', 'timestamp with time zone'),
    ('external_data', 'rs_example_multi_events_backup', 'identifiers', 'ARRAY'),
    ('external_data', 'rs_example_multi_events_export_done', 'identifier', 'text'),
    ('external_data', 'rs_example_multi_events_export_done', 'id', 'uuid'),
    ('external_data', 'rs_example_multi_entities_reset_done', 'id', 'text'),
    ('external_data', 'rs_example_multi_events_reset_done', 'id', 'uuid'),
    ('external_data', 'rs_example_multi_events_undo_done', 'id', 'uuid'),
    ('external_data', 'rs_example_multi_backup_meta', 'fingerprint', 'text'),
    ('external_data', 'rs_example_multi_backup_meta', 'incident', 'text'),
    ('external_data', 'rs_example_multi_backup_meta', 'taken_at', 'timestamp with time zone'),
    ('external_data', 'rs_example_multi_backup_meta', 'scope', 'text'),
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
