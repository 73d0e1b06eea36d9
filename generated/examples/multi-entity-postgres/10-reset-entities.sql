-- restitch:step 10/16
-- restitch:kind batch
-- restitch:title Mark the entities for deletion (modified and identifiers to NULL)
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_multi_entities_reset_done) AS done, (SELECT count(*) FROM external_data.rs_example_multi_entities_backup AS src) AS total
--
-- Why: modified = NULL is the signal for the clean-up routine to delete the entity from
--   customer_attributes and OpenSearch; identifiers = NULL cuts the link to its events.
-- Expect: Each batch touches up to 2 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- modified = NULL tells the clean-up routine to delete the entity (here and in OpenSearch);
-- identifiers = NULL cuts the link between the entity and its events at once.
WITH batch AS (
  SELECT src.customer_entity_id AS id
  FROM external_data.rs_example_multi_entities_backup AS src
  WHERE src.customer_entity_id > coalesce(
    (SELECT done.id FROM external_data.rs_example_multi_entities_reset_done AS done ORDER BY done.id DESC LIMIT 1),
    ''
  )
  ORDER BY src.customer_entity_id
  LIMIT 2 -- restitch:batch-size
),
changed AS (
  UPDATE customer_attributes
  SET modified = NULL, identifiers = NULL
  WHERE customer_attributes.customer_entity_id = ANY (ARRAY(SELECT batch.id FROM batch))
  RETURNING customer_attributes.customer_entity_id
) -- restitch:journal
INSERT INTO external_data.rs_example_multi_entities_reset_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
