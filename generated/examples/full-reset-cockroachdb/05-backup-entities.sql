-- restitch:step 5/15
-- restitch:kind batch
-- restitch:title Back up modified and identifiers of every entity
-- restitch:progress SELECT (SELECT count(*) FROM external_data.rs_example_full_reset_entities_backup_done) AS done, (SELECT count(*) FROM customer_attributes AS src WHERE src.modified IS NOT NULL OR src.identifiers IS NOT NULL) AS total
-- restitch:floor SELECT done.id AS floor FROM external_data.rs_example_full_reset_entities_backup_done AS done ORDER BY done.id DESC LIMIT 1
--
-- Why: The reset changes these columns of every entity; the backup is what undo puts back.
-- Expect: Each batch copies up to 2000 rows; repeat until 0.
--
-- By hand: run the statement again until the shell prints INSERT 0. The runner puts the
-- result of the restitch:floor query (the highest key done) in place of the key literal after
-- src.<key> > before every batch, so each batch reads only its own rows. Pasted as it is, the
-- statement stays correct (keys done are skipped through the done table) but every batch reads
-- again the keys done before it: on a long step, paste that result in place of the literal.

WITH batch AS (
  SELECT src.customer_entity_id AS id
  FROM customer_attributes AS src
  WHERE src.customer_entity_id > '' -- restitch:floor
    AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_backup_done AS done WHERE done.id = src.customer_entity_id)
    AND (src.modified IS NOT NULL OR src.identifiers IS NOT NULL)
  ORDER BY src.customer_entity_id
  LIMIT 2000 -- restitch:batch-size
),
changed AS (
  INSERT INTO external_data.rs_example_full_reset_entities_backup (customer_entity_id, modified, identifiers)
  SELECT a.customer_entity_id, a.modified, a.identifiers
  FROM batch, customer_attributes AS a
  WHERE a.customer_entity_id = batch.id
  ON CONFLICT (customer_entity_id) DO NOTHING
  RETURNING customer_entity_id
) -- restitch:journal
INSERT INTO external_data.rs_example_full_reset_entities_backup_done (id)
SELECT batch.id FROM batch
WHERE (SELECT count(*) FROM changed) >= 0;
