-- restitch:step 2/9
-- restitch:kind check
-- restitch:title Preflight: every table is in place
--
-- Why: A wrong database or an unexpected column type must stop the runbook before it writes.
-- Expect: Every row has ok = true.

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
    ('external_data', 'rs_example_recalc_entities_reset_done', 'id', 'text')
) AS expected (table_schema, table_name, column_name, data_type)
WHERE NOT EXISTS (
  SELECT 1
  FROM information_schema.columns AS c
  WHERE c.table_name = expected.table_name
    AND c.column_name = expected.column_name
    AND (expected.table_schema = '' OR c.table_schema = expected.table_schema)
    AND (expected.data_type = '' OR c.data_type = expected.data_type)
);
