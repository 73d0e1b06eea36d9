-- restitch:step 9/16
-- restitch:kind check
-- restitch:title The export and backups are complete
--
-- Why: Every event that shares an identifier with an entity to reset must be in the list before
--   the entities lose their identifiers: an event left out would stay stitched to identifiers
--   no entity holds.
-- Expect: ok = true on every row; detail gives the number of events and about how much disk
--   their backup takes.

SELECT
  'events to reset were exported' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events in the working table, about ' || CAST(round(CAST(count(*) * 150 + coalesce(sum(octet_length(array_to_string(b.identifiers, '')) + array_length(b.identifiers, 1) * 4), 0) AS numeric) / 1048576, 1) AS text) || ' MB' AS detail
FROM external_data.rs_example_multi_events_backup AS b
UNION ALL
SELECT
  'no event of the entities to reset is left out (it would keep identifiers no entity holds)' AS check_name,
  count(DISTINCT customer_events.id) = 0 AS ok,
  CAST(count(DISTINCT customer_events.id) AS text) || ' events would be orphaned' AS detail
FROM customer_events AS customer_events
WHERE customer_events.identifiers && (
    SELECT array_agg(DISTINCT held.identifier)
    FROM external_data.rs_example_multi_entities_backup AS a
    CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
  )
  AND array_length(customer_events.identifiers, 1) > 0
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_events_backup AS b WHERE b.id = customer_events.id);
