-- restitch:step 12/16
-- restitch:kind wait
-- restitch:title Wait until the clean-up routine has deleted the entities
-- restitch:interval 15s
-- restitch:timeout 30m
-- restitch:point-of-no-return
--
-- Why: Events must not be re-stitched while their old entity still exists. The routine usually
--   needs about a minute.
-- Expect: ok = true once no reset entity is left in customer_attributes.
--
-- By hand: run the query every 15s until ok is true on every row; give up after 30m.
--
-- Point of no return: from step 12 on, the way back is forward: re-stitching. Once this step is
--   done, the clean-up routine has deleted the entities: they cannot be put back, and events
--   put back for them would belong to no entity. 'restitch run --undo' refuses from here on,
--   and the undo runbook's first check stops it.

-- The clean-up routine deletes entities whose modified is NULL, usually within a minute.
SELECT
  'the clean-up routine has deleted every reset entity' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities not deleted yet' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_multi_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id;
