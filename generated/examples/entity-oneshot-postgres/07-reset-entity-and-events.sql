-- restitch:step 7/11
-- restitch:kind change
-- restitch:title Mark the entity for deletion and reset its events in one statement
--
-- Why: For a small entity one statement is simplest: the entity and its events change in the
--   same transaction.
-- Expect: UPDATE n, where n is the number of events the guard counted.

-- One statement, one transaction: the entity is marked for deletion and its events are reset
-- together. The identifiers guard is repeated here so the statement is safe on its own.
WITH entities AS (
  UPDATE customer_attributes
  SET modified = NULL
  WHERE customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
    AND array_length(identifiers, 1) > 0
  RETURNING identifiers
)
UPDATE customer_events
SET stitched = NULL, identifiers = NULL
FROM entities
WHERE array_length(customer_events.identifiers, 1) > 0
  AND customer_events.identifiers <@ entities.identifiers;
