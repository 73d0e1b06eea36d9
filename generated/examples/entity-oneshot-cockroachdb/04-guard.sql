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
-- The events holding one of the entity's identifiers, each once, and whether all of its
-- identifiers are the entity's (see chosen-events: never customer_events as a whole).
WITH chosen AS (
  SELECT DISTINCT
    customer_events.id,
    customer_events.identifiers <@ (SELECT c.identifiers FROM customer_attributes AS c WHERE c.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11') AS contained
  FROM (
    SELECT DISTINCT held.identifier
    FROM (SELECT c.identifiers FROM customer_attributes AS c WHERE c.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11') AS a
    CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
    WHERE held.identifier IS NOT NULL
  ) AS i
  JOIN customer_events AS customer_events ON customer_events.identifiers @> ARRAY[i.identifier]
  WHERE true
)
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
  count(*) FILTER (WHERE chosen.contained) > 0 AND count(*) FILTER (WHERE chosen.contained) < 1000 AS ok,
  CAST(count(*) FILTER (WHERE chosen.contained) AS text) || ' events; with none nothing would be re-stitched, above the limit use multi-entity' AS detail
FROM chosen
UNION ALL
SELECT
  'no event shares only some of its identifiers with the entity' AS check_name,
  count(*) FILTER (WHERE NOT chosen.contained) = 0 AS ok,
  CAST(count(*) FILTER (WHERE NOT chosen.contained) AS text) || ' events overlap the entity only partly (e.g. ' || coalesce(min(CAST(chosen.id AS text)) FILTER (WHERE NOT chosen.contained), 'none') || '); use multi-entity' AS detail
FROM chosen;
