-- restitch:step 5/5
-- restitch:kind check
-- restitch:title Every deleted row is back
--
-- Why: Compares the tables with the backups.
-- Expect: ok = true on every row.

SELECT
  'every backed-up matching row is back' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows missing from cdp_ps.matching' AS detail
FROM temp_table.rs_example_legacy_delete_matching_backup AS b
WHERE NOT EXISTS (
  SELECT 1 FROM cdp_ps.matching AS m
  WHERE m.customer_event_id = b.customer_event_id
    AND m.customer_entity_id = b.customer_entity_id
)
UNION ALL
SELECT
  'every deleted event is back' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing from cdp_ce.customer_events' AS detail
FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM cdp_ce.customer_events AS ce WHERE ce.id = b.id);
