-- restitch:step 3/6
-- restitch:kind change
-- restitch:title Take back the queued events and delete actions
--
-- Why: What CPS and the clean-up routine have not consumed yet must not be acted on.
-- Expect: DELETE n (twice).

-- Takes back what this runbook queued and CPS has not consumed yet.
DELETE FROM cdp_ps.customer_events_to_process AS p
WHERE p.customer_event_id IN (SELECT q.id FROM temp_table.rs_example_legacy_delete_events_queued AS q);

DELETE FROM cdp_attr.customer_entities_audit AS a
WHERE a.action = 'delete'
  AND a.customer_entity_id IN (SELECT q.customer_entity_id FROM temp_table.rs_example_legacy_delete_audit_queued AS q);
