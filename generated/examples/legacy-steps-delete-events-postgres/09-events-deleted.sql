-- restitch:step 9/21
-- restitch:kind check
-- restitch:title The events are deleted
--
-- Why: Proves Step 0 did what it promises.
-- Expect: ok = true on every row.

SELECT
  'every backed-up event is deleted' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events still present' AS detail
FROM cdp_ce.customer_events AS ce
WHERE ce.id IN (SELECT b.id FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b);
