-- restitch:step 7/9
-- restitch:kind batch
-- restitch:title Set calculated to NULL
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_recalc_entities_reset_done) AS done, (SELECT count(*) FROM external_data.rs_example_recalc_entities_backup AS src) AS total
--
-- Why: calculated = NULL asks the platform to calculate every attribute of the entity again.
-- Expect: Each batch touches up to 10000 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

-- calculated = NULL asks the platform to calculate every attribute of the entity again.
-- Nothing else is touched: no event, no identifier, no stitching.
WITH batch AS (
  SELECT src.customer_entity_id AS id
  FROM external_data.rs_example_recalc_entities_backup AS src
  WHERE src.customer_entity_id > coalesce(
    (SELECT done.id FROM external_data.rs_example_recalc_entities_reset_done AS done ORDER BY done.id DESC LIMIT 1),
    ''
  )
  ORDER BY src.customer_entity_id
  LIMIT 10000 -- restitch:batch-size
),
changed AS (
  UPDATE customer_attributes
  SET calculated = NULL
  WHERE customer_attributes.customer_entity_id = ANY (ARRAY(SELECT batch.id FROM batch))
  RETURNING customer_attributes.customer_entity_id
) -- restitch:journal
INSERT INTO external_data.rs_example_recalc_entities_reset_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
