-- restitch:step 2/9
-- restitch:kind check
-- restitch:title Preflight: every table is in place
--
-- Why: A wrong database or an unexpected column type must stop the runbook before it writes.
-- Expect: Every row has ok = true.

SELECT
  'no other version of this runbook has used its working tables' AS check_name,
  count(*) = 0 AS ok,
  CASE
    WHEN count(*) = 0 THEN 'none'
    ELSE string_agg('version ' || substr(other.fingerprint, 1, 12) || ' since ' || CAST(other.taken_at AS text), ', ')
      || CASE
        WHEN max(CASE WHEN other.scope IS DISTINCT FROM '52e6c14ca903df56ee15d1dd0b4ac61f39a88b6ad00ab0b7e159e7b6704cb9ac' THEN 1 ELSE 0 END) = 0
          THEN ' (the same entities and filter): finish or undo that run, choose another --incident, or generate again with --reuse-backups to go on with its backups'
        ELSE ' (other entities or another filter, whose backups cannot be reused: the batch steps resume after the highest key they did):'
          || ' finish or undo that run with its own runbook, or choose another --incident'
      END
  END AS detail
FROM external_data.rs_example_recalc_backup_meta AS other
WHERE other.fingerprint <> '11792c45caa2a1ff083b6967f74da69cad6db977ef1e6645675d0dba600b9dbe'
UNION ALL
SELECT
  'the working tables are stamped with this version of the runbook' AS check_name,
  count(*) = 1 AS ok,
  CASE
    WHEN count(*) = 1 THEN 'stamped since ' || CAST(max(this_version.taken_at) AS text)
    ELSE 'not stamped: they hold rows of another run (another version, an older restitch, or by hand)'
  END AS detail
FROM external_data.rs_example_recalc_backup_meta AS this_version
WHERE this_version.fingerprint = '11792c45caa2a1ff083b6967f74da69cad6db977ef1e6645675d0dba600b9dbe'
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
FROM external_data.restitch_incidents AS other
WHERE other.closed_at IS NULL
  AND other.incident <> 'example-recalc'
UNION ALL
SELECT
  'this incident is registered as the one changing this database' AS check_name,
  count(*) FILTER (WHERE mine.closed_at IS NULL) = 1 AS ok,
  CASE
    WHEN count(*) = 0 THEN 'not registered (step 2 found another incident open): once it is closed, run this runbook again from its step 2'
    WHEN max(mine.closed_at) IS NULL THEN 'registered since ' || CAST(max(mine.began_at) AS text)
    ELSE 'closed ' || CAST(max(mine.closed_at) AS text) || ' (' || coalesce(max(mine.closed_how), '') || '): this incident is over; to reset again, generate a runbook with another --incident'
  END AS detail
FROM external_data.restitch_incidents AS mine
WHERE mine.incident = 'example-recalc'
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
    ('external_data', 'rs_example_recalc_entities', 'customer_entity_id', 'text'),
    ('external_data', 'rs_example_recalc_entities_backup', 'customer_entity_id', 'text'),
    ('external_data', 'rs_example_recalc_entities_backup', 'calculated', 'timestamp with time zone'),
    ('external_data', 'rs_example_recalc_entities_reset_done', 'id', 'text'),
    ('external_data', 'rs_example_recalc_backup_meta', 'fingerprint', 'text'),
    ('external_data', 'rs_example_recalc_backup_meta', 'incident', 'text'),
    ('external_data', 'rs_example_recalc_backup_meta', 'taken_at', 'timestamp with time zone'),
    ('external_data', 'rs_example_recalc_backup_meta', 'scope', 'text'),
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
