-- restitch:step 6/9
-- restitch:kind check
-- restitch:title Every chosen entity is backed up
--
-- Why: Nothing may change that undo could not put back.
-- Expect: ok = true.

SELECT
  'every chosen entity is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities missing from the backup' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_recalc_entities AS chosen ON chosen.customer_entity_id = a.customer_entity_id
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_recalc_entities_backup AS b WHERE b.customer_entity_id = a.customer_entity_id)
UNION ALL
SELECT
  'every backed-up entity is a chosen one' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' backed-up entities are not in ' || 'entities.txt' || ' (e.g. ' || coalesce(min(b.customer_entity_id), 'none')
    || '): the next steps walk the backup and would change them. Nothing was changed. The backup was kept from another version of this runbook or changed by hand:'
    || ' finish or undo that run with its own runbook, or generate this one with another --incident' AS detail
FROM external_data.rs_example_recalc_entities_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_recalc_entities AS chosen WHERE chosen.customer_entity_id = b.customer_entity_id);
