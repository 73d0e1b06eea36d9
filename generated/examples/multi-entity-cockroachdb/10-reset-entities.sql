-- restitch:step 10/16
-- restitch:kind batch
-- restitch:title Mark the entities for deletion (modified and identifiers to NULL)
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_multi_entities_reset_done) AS done, (SELECT count(*) FROM external_data.rs_example_multi_entities_backup AS src) AS total
-- restitch:floor SELECT done.id AS floor FROM external_data.rs_example_multi_entities_reset_done AS done ORDER BY done.id DESC LIMIT 1
--
-- Why: modified = NULL is the signal for the clean-up routine to delete the entity from
--   customer_attributes and OpenSearch; identifiers = NULL cuts the link to its events. Each
--   batch first compares its entities with their backup: one that changed since (CPS stitched
--   it, a recalculation set modified) stops the step, naming it, and the batch changes nothing.
-- Expect: Each batch touches up to 2 rows; repeat until 0. An error `restitch: step ...
--   refused` names the entity that changed and what to do.
--
-- By hand: run the statement again until the shell prints INSERT 0. The runner puts the
-- result of the restitch:floor query (the highest key done) in place of the key literal after
-- src.<key> > before every batch, so each batch reads only its own rows. Pasted as it is, the
-- statement stays correct (keys done are skipped through the done table) but every batch reads
-- again the keys done before it: on a long step, paste that result in place of the literal.

-- modified = NULL tells the clean-up routine to delete the entity (here and in OpenSearch);
-- identifiers = NULL cuts the link between the entity and its events at once.
-- Only while every entity of the batch is as backed up (or already reset): one that changed since
-- (CPS stitched it, a recalculation set modified) stops the batch with nothing changed.
WITH batch AS (
  SELECT src.customer_entity_id AS id
  FROM external_data.rs_example_multi_entities_backup AS src
  WHERE src.customer_entity_id > '' -- restitch:floor
    AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_entities_reset_done AS done WHERE done.id = src.customer_entity_id)
  ORDER BY src.customer_entity_id
  LIMIT 2 -- restitch:batch-size
),
changed AS (
  UPDATE customer_attributes
  SET modified = NULL, identifiers = NULL
  FROM batch
  WHERE customer_attributes.customer_entity_id = batch.id
    AND (
      SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
        'restitch: step 10 (reset-entities) refused, this statement changed nothing: entity ' || min(CAST(live.customer_entity_id AS text))
          || ' is no longer as backed up (modified or identifiers changed since: CPS stitched it, or a recalculation wrote it); '
          || CAST(count(*) AS text) || ' such row(s). Stop CPS and every other writer, undo this runbook while it applies (restitch run --undo), then generate a new one, whose backup holds the rows as they are now'
        AS INT8) END
      FROM (
        SELECT live.customer_entity_id, live.modified, live.identifiers
        FROM batch, customer_attributes AS live
        WHERE live.customer_entity_id = batch.id
        FOR UPDATE OF live
      ) AS live
      WHERE NOT (live.modified IS NULL AND live.identifiers IS NULL)
        AND NOT EXISTS (
          SELECT 1
          FROM external_data.rs_example_multi_entities_backup AS kept
          WHERE kept.customer_entity_id = live.customer_entity_id
            AND kept.modified IS NOT DISTINCT FROM live.modified AND kept.identifiers IS NOT DISTINCT FROM live.identifiers
        )
    ) = 0
  RETURNING customer_attributes.customer_entity_id
) -- restitch:journal
INSERT INTO external_data.rs_example_multi_entities_reset_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
