-- restitch:step 11/21
-- restitch:kind check
-- restitch:title Every event of these entities is listed
--
-- Why: An event missing from the list would stay un-stitched after Step 3.
-- Expect: ok = true on every row.

SELECT
  'events to clean were chosen' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events in the working table' AS detail
FROM temp_table.rs_example_legacy_delete_events_to_clean
UNION ALL
SELECT
  'no event of these entities is missing' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events missing' AS detail
FROM public.customer_events
WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND customer_events.id::uuid NOT IN (SELECT c.id FROM temp_table.rs_example_legacy_delete_events_to_clean AS c);
