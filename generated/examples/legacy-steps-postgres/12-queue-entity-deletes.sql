-- restitch:step 12/17
-- restitch:kind change
-- restitch:title Step 4: queue a delete action for each entity
-- restitch:point-of-no-return
--
-- Why: Step 4 of the wiki: a delete row in cdp_attr.customer_entities_audit cleans everything
--   kept for the entity.
-- Expect: INSERT n, n being the number of entities; 0 when run again.
--
-- Point of no return: from step 12 on, the way back is forward: re-stitching. Once this step is
--   done, once a delete action is queued the clean-up routine may process it at any moment and
--   clean everything kept for the entity, which no backup of this runbook holds. 'restitch run
--   --undo' refuses from here on, and the undo runbook's first check stops it.

-- Wiki Step 4, exactly once per entity: the journal table takes each id once (ON CONFLICT),
-- and only ids it took now get a 'delete' row, so running this again adds nothing.
WITH queued AS (
  INSERT INTO temp_table.rs_example_legacy_audit_queued (customer_entity_id)
  SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_entities_to_clean AS e
  ON CONFLICT (customer_entity_id) DO NOTHING
  RETURNING customer_entity_id
)
INSERT INTO cdp_attr.customer_entities_audit (customer_entity_id, created, action)
SELECT queued.customer_entity_id, current_timestamp, 'delete'
FROM queued;
