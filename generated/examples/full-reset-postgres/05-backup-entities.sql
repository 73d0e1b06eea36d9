-- restitch:step 5/15
-- restitch:kind batch
-- restitch:title Back up modified and identifiers of every entity
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_full_reset_entities_backup_done) AS done, (SELECT count(*) FROM customer_attributes AS src WHERE src.modified IS NOT NULL OR src.identifiers IS NOT NULL) AS total
--
-- Why: The reset changes these columns of every entity; the backup is what undo puts back.
-- Expect: Each batch copies up to 10000 rows; repeat until 0.
--
-- By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.

WITH batch AS (
  SELECT src.customer_entity_id AS id
  FROM customer_attributes AS src
  WHERE src.customer_entity_id > coalesce(
    (SELECT done.id FROM external_data.rs_example_full_reset_entities_backup_done AS done ORDER BY done.id DESC LIMIT 1),
    ''
  )
    AND (src.modified IS NOT NULL OR src.identifiers IS NOT NULL)
  ORDER BY src.customer_entity_id
  LIMIT 10000 -- restitch:batch-size
),
changed AS (
  INSERT INTO external_data.rs_example_full_reset_entities_backup (customer_entity_id, modified, identifiers)
  SELECT a.customer_entity_id, a.modified, a.identifiers
  FROM customer_attributes AS a
  WHERE a.customer_entity_id = ANY (ARRAY(SELECT batch.id FROM batch))
  ON CONFLICT (customer_entity_id) DO NOTHING
  RETURNING customer_entity_id
) -- restitch:journal
INSERT INTO external_data.rs_example_full_reset_entities_backup_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
