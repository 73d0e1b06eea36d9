-- restitch:step 4/5
-- restitch:kind change
-- restitch:title Put back the deleted matching rows and events
--
-- Why: Restores the whole rows from the backups; rows already back are skipped.
-- Expect: INSERT n.

-- Puts back the rows this runbook deleted, from the whole-row backups; rows already back are
-- skipped, so the step can run again.
INSERT INTO cdp_ps.matching
SELECT b.*
FROM temp_table.rs_example_legacy_delete_matching_backup AS b
WHERE NOT EXISTS (
  SELECT 1 FROM cdp_ps.matching AS m
  WHERE m.customer_event_id = b.customer_event_id
    AND m.customer_entity_id = b.customer_entity_id
);

INSERT INTO cdp_ce.customer_events
SELECT b.*
FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM cdp_ce.customer_events AS ce WHERE ce.id = b.id);
