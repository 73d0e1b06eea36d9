-- restitch:step 6/16
-- restitch:kind change
-- restitch:title Back up the entities to reset
--
-- Why: Step reset-entities changes these columns; the backup is what undo puts back, and its
--   identifiers choose the events to export next.
-- Expect: One INSERT succeeds; running again adds nothing (ON CONFLICT DO NOTHING).

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
