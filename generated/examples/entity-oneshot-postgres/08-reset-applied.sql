-- restitch:step 8/11
-- restitch:kind check
-- restitch:title The entity is marked and its events are reset
--
-- Why: Proves the statement did what it promises before CPS is enabled.
-- Expect: ok = true on both rows.

SELECT
  'the entity is marked for deletion or already deleted' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) with modified still set' AS detail
FROM customer_attributes
WHERE customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
  AND modified IS NOT NULL
UNION ALL
SELECT
  'no backed-up event is still stitched' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events still stitched' AS detail
FROM customer_events AS e
JOIN external_data.rs_example_oneshot_events_backup AS b ON b.id = e.id
WHERE e.stitched IS NOT NULL OR e.identifiers IS NOT NULL;
