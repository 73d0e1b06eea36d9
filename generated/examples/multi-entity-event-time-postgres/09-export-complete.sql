-- restitch:step 9/16
-- restitch:kind check
-- restitch:title The export and backups are complete
-- restitch:recheck-on-resume
--
-- Why: Every event that shares an identifier with an entity to reset must be in the list before
--   the entities lose their identifiers: an event left out would stay stitched to identifiers
--   no entity holds. An entity that changed since its backup (CPS stitched again while the run
--   was paused) stops it too. A resumed run checks this again before it goes on.
-- Expect: ok = true on every row; detail gives the number of events and about how much disk
--   their backup takes.

SELECT
  'events to reset were exported' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events in the working table, about ' || CAST(round(CAST(count(*) * 150 + coalesce(sum(octet_length(array_to_string(b.identifiers, '')) + array_length(b.identifiers, 1) * 4), 0) AS numeric) / 1048576, 1) AS text) || ' MB' AS detail
FROM external_data.rs_example_window_events_backup AS b
UNION ALL
SELECT
  'no event of the entities to reset is left out (it would keep identifiers no entity holds)' AS check_name,
  count(DISTINCT customer_events.id) = 0 AS ok,
  CAST(count(DISTINCT customer_events.id) AS text) || ' events would be orphaned' AS detail
FROM customer_events AS customer_events
WHERE customer_events.identifiers && (
    SELECT array_agg(DISTINCT held.identifier)
    FROM external_data.rs_example_window_entities_backup AS a
    CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
  )
  AND array_length(customer_events.identifiers, 1) > 0
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_window_events_backup AS b WHERE b.id = customer_events.id)
UNION ALL
-- An entity still as it was backed up, or as this runbook left it (modified and identifiers NULL,
-- waiting for the clean-up routine): anything else means something stitched it since (CPS running
-- during a pause), and its backup and this export no longer hold all of its events.
SELECT
  'every entity to reset is still as backed up (nothing stitched it since)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities changed since their backup (e.g. '
    || coalesce(min(a.customer_entity_id), 'none') || '): stitched again while the run was paused? Export again from a new runbook' AS detail
FROM external_data.rs_example_window_entities_backup AS b
JOIN customer_attributes AS a ON a.customer_entity_id = b.customer_entity_id
WHERE NOT (a.modified IS NULL AND a.identifiers IS NULL)
  AND (a.modified IS DISTINCT FROM b.modified OR a.identifiers IS DISTINCT FROM b.identifiers);
