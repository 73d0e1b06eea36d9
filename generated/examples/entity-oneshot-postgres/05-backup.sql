-- restitch:step 5/11
-- restitch:kind change
-- restitch:title Back up the entity and the events the statement will reset
--
-- Why: The one-shot statement changes modified of the entity and stitched/identifiers of its
--   events; the backup is what undo puts back.
-- Expect: Two INSERTs succeed; running again adds nothing.

-- Exactly the rows and columns the one-shot statement changes: the entity's modified, and
-- stitched/identifiers of the events it will reset (same predicate as the next change).
INSERT INTO external_data.rs_example_oneshot_entities_backup (customer_entity_id, modified)
SELECT a.customer_entity_id, a.modified
FROM customer_attributes AS a
WHERE a.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
  AND array_length(a.identifiers, 1) > 0
ON CONFLICT (customer_entity_id) DO NOTHING;

INSERT INTO external_data.rs_example_oneshot_events_backup (id, stitched, identifiers, ord)
SELECT customer_events.id, customer_events.stitched, customer_events.identifiers, customer_events.ctid
FROM customer_events
JOIN customer_attributes AS a
  ON a.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
  AND array_length(a.identifiers, 1) > 0
WHERE array_length(customer_events.identifiers, 1) > 0
  AND customer_events.identifiers <@ a.identifiers
ON CONFLICT (id) DO NOTHING;
