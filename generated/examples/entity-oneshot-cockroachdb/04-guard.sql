-- restitch:step 4/11
-- restitch:kind check
-- restitch:title Guard: the entity exists, has identifiers, at least one and fewer than 1000 events, none only partly its own
--
-- Why: An empty identifier array is contained in every array: without this guard the one-shot
--   statement would reset events of other customers. An entity without events would be deleted
--   with nothing re-stitched; an event only partly its own would be left pointing at a deleted
--   entity. A large entity belongs in multi-entity.
-- Expect: ok = true on all four rows.

-- The one-shot statement resets every event whose identifiers are contained in the entity's
-- identifiers. An empty array is contained in every array, so an entity without identifiers
-- would reset other customers' events: this guard refuses it, and refuses a large entity.
-- An event that shares only some identifiers with the entity (&& but not <@) is not reset by
-- the statement, yet loses its entity: it would keep identifiers no entity holds, so the
-- guard refuses any such event and names one (multi-entity resets by &&).
SELECT
  'the entity exists' AS check_name,
  count(*) = 1 AS ok,
  CAST(count(*) AS text) || ' row(s) for ' || '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11' AS detail
FROM customer_attributes
WHERE customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
UNION ALL
SELECT
  'the entity has at least one identifier' AS check_name,
  coalesce(bool_and(array_length(identifiers, 1) > 0), false) AS ok,
  coalesce(CAST(max(array_length(identifiers, 1)) AS text), '0') || ' identifier(s)' AS detail
FROM customer_attributes
WHERE customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
UNION ALL
SELECT
  'the entity has at least one and fewer than 1000 events' AS check_name,
  count(*) > 0 AND count(*) < 1000 AS ok,
  CAST(count(*) AS text) || ' events; with none nothing would be re-stitched, above the limit use multi-entity' AS detail
FROM customer_events
JOIN customer_attributes AS a
  ON a.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
  AND array_length(a.identifiers, 1) > 0
WHERE array_length(customer_events.identifiers, 1) > 0
  AND customer_events.identifiers <@ a.identifiers
UNION ALL
SELECT
  'no event shares only some of its identifiers with the entity' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events overlap the entity only partly (e.g. ' || coalesce(min(CAST(customer_events.id AS text)), 'none') || '); use multi-entity' AS detail
FROM customer_events
JOIN customer_attributes AS a
  ON a.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
  AND array_length(a.identifiers, 1) > 0
WHERE array_length(customer_events.identifiers, 1) > 0
  AND customer_events.identifiers && a.identifiers
  AND NOT customer_events.identifiers <@ a.identifiers;
