-- restitch:step 7/11
-- restitch:kind change
-- restitch:title Mark the entity for deletion and reset its events in one statement
--
-- Why: For a small entity one statement is simplest: the entity and its events change in the
--   same transaction.
-- Expect: UPDATE n, where n is the number of events the guard counted.

-- One statement, one transaction: the entity is marked for deletion and its events are reset
-- together. The identifiers guard is repeated here so the statement is safe on its own, and so is
-- the comparison with the backup: the entity and every event the statement resets must be as
-- backed up (or already reset), or the statement stops with nothing changed. The events compared
-- are all that share an identifier with the entity: also one that arrived since the guard holding
-- only some of them, which this statement would leave pointing at a deleted entity.
WITH entities AS (
  UPDATE customer_attributes
  SET modified = NULL
  WHERE customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
    AND array_length(identifiers, 1) > 0
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: step 7 (reset-entity-and-events) refused, this statement changed nothing: entity ' || min(CAST(live.customer_entity_id AS text))
          || ' is no longer as backed up (modified changed since: CPS stitched it, or a recalculation wrote it); '
          || CAST(count(*) AS text) || ' such row(s). Stop CPS and every other writer, undo this runbook while it applies (restitch run --undo), then generate a new one, whose backup holds the rows as they are now'
        AS INT8) END
      FROM (
        SELECT live.customer_entity_id, live.modified
        FROM customer_attributes AS live
        WHERE live.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11'
        FOR UPDATE OF live
      ) AS live
      WHERE NOT (live.modified IS NULL)
        AND NOT EXISTS (
          SELECT 1
          FROM external_data.rs_example_oneshot_entities_backup AS kept
          WHERE kept.customer_entity_id = live.customer_entity_id
            AND kept.modified IS NOT DISTINCT FROM live.modified
        )
    ) = 0
  RETURNING identifiers
)
UPDATE customer_events
SET stitched = NULL, identifiers = NULL
FROM entities
WHERE array_length(customer_events.identifiers, 1) > 0
  AND customer_events.identifiers <@ entities.identifiers
  AND (
    SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
      'restitch: step 7 (reset-entity-and-events) refused, this statement changed nothing: event ' || min(CAST(live.id AS text))
        || ' is no longer as backed up (stitched or identifiers changed since: CPS stitched it); '
        || CAST(count(*) AS text) || ' such row(s). Stop CPS and every other writer, undo this runbook while it applies (restitch run --undo), then generate a new one, whose backup holds the rows as they are now'
      AS INT8) END
    FROM (
      SELECT live.id, live.stitched, live.identifiers
      FROM customer_events AS live
      WHERE live.identifiers && (
          SELECT array_agg(DISTINCT held.identifier)
          FROM (SELECT c.identifiers FROM customer_attributes AS c WHERE c.customer_entity_id = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11') AS a
          CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
        )
        AND array_length(live.identifiers, 1) > 0
      FOR UPDATE OF live
    ) AS live
    WHERE NOT (live.stitched IS NULL AND live.identifiers IS NULL)
      AND NOT EXISTS (
        SELECT 1
        FROM external_data.rs_example_oneshot_events_backup AS kept
        WHERE kept.id = live.id
          AND kept.stitched IS NOT DISTINCT FROM live.stitched AND kept.identifiers IS NOT DISTINCT FROM live.identifiers
      )
  ) = 0;
