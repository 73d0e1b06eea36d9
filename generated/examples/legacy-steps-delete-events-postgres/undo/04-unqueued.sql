-- restitch:step 4/6
-- restitch:kind check
-- restitch:title Nothing this runbook queued is left
--
-- Why: Proves the queues are clean.
-- Expect: ok = true on every row.

SELECT
  'no event this runbook queued is still waiting' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows left in cdp_ps.customer_events_to_process' AS detail
FROM cdp_ps.customer_events_to_process AS p
WHERE p.customer_event_id IN (SELECT q.id FROM temp_table.rs_example_legacy_delete_events_queued AS q)
UNION ALL
SELECT
  'no delete action this runbook queued is left' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows left in cdp_attr.customer_entities_audit' AS detail
FROM cdp_attr.customer_entities_audit AS a
WHERE a.action = 'delete'
  AND a.customer_entity_id IN (SELECT q.customer_entity_id FROM temp_table.rs_example_legacy_delete_audit_queued AS q);
