-- restitch:step 6/14
-- restitch:kind change
-- restitch:title Export the events to reset, and back up the entities and events
--
-- Why: Wiki step 1: the event ids must be exported while the entities still hold their
--   identifiers. The export keeps the events' stitched and identifiers, so it is also their
--   backup.
-- Expect: Two INSERTs succeed; running again adds nothing (ON CONFLICT DO NOTHING).

-- The event filter chooses entities, not events: a chosen entity is reset when at least one
-- event sharing an identifier with it passes the filter, and then ALL its events are reset.
-- Resetting only some events of a deleted entity would leave the others stitched to
-- identifiers that no entity holds any more; CPS would never look at them again.
-- The columns of the entities to reset that step reset-entities changes, before they change.
INSERT INTO external_data.rs_example_window_entities_backup (customer_entity_id, modified, identifiers)
SELECT a.customer_entity_id, a.modified, a.identifiers
FROM customer_attributes AS a
JOIN external_data.rs_example_window_entities AS chosen ON chosen.customer_entity_id = a.customer_entity_id
WHERE array_length(a.identifiers, 1) > 0
  AND EXISTS (
    SELECT 1
    FROM customer_events
    WHERE array_length(customer_events.identifiers, 1) > 0
      AND customer_events.identifiers && a.identifiers
      AND (customer_events.event_time >= CAST('2026-01-01T11:30:00Z' AS timestamptz))
  )
ON CONFLICT (customer_entity_id) DO NOTHING;

-- Every event that shares an identifier with an entity to reset: their ids are the list to
-- reset, and stitched/identifiers are their backup. An event with no identifiers belongs to no
-- entity. Read from the backup, so a second run still sees the identifiers.
INSERT INTO external_data.rs_example_window_events_backup (id, stitched, identifiers)
SELECT customer_events.id, customer_events.stitched, customer_events.identifiers
FROM customer_events
WHERE array_length(customer_events.identifiers, 1) > 0
  AND EXISTS (
    SELECT 1
    FROM external_data.rs_example_window_entities_backup AS a
    WHERE array_length(a.identifiers, 1) > 0
      AND customer_events.identifiers && a.identifiers
  )
ON CONFLICT (id) DO NOTHING;
