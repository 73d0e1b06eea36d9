-- restitch:step 5/6
-- restitch:kind batch
-- restitch:title Put back the entity columns that were changed
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_window_entities_undo_done) AS done, (SELECT count(*) FROM external_data.rs_example_window_entities_backup AS src) AS total
--
-- Why: Restores the backed-up columns of every entity that still exists.
-- Expect: Each batch touches up to 10000 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- Puts back modified, identifiers of every backed-up entity that still exists.
WITH batch AS (
  SELECT src.customer_entity_id AS id
  FROM external_data.rs_example_window_entities_backup AS src
  WHERE src.customer_entity_id > coalesce(
    (SELECT done.id FROM external_data.rs_example_window_entities_undo_done AS done ORDER BY done.id DESC LIMIT 1),
    ''
  )
  ORDER BY src.customer_entity_id
  LIMIT 10000
),
changed AS (
  UPDATE customer_attributes
  SET modified = b.modified, identifiers = b.identifiers
  FROM external_data.rs_example_window_entities_backup AS b
  WHERE customer_attributes.customer_entity_id = ANY (ARRAY(SELECT batch.id FROM batch))
    AND b.customer_entity_id = customer_attributes.customer_entity_id
  RETURNING customer_attributes.customer_entity_id
)
INSERT INTO external_data.rs_example_window_entities_undo_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
