-- restitch:step 7/16
-- restitch:kind check
-- restitch:title Every entity to reset is backed up
--
-- Why: The export of the events reads the identifiers from this backup, and undo puts it back:
--   an entity missing here would keep its events out of the export.
-- Expect: ok = true on every row; detail gives how many entities the backup holds and about how
--   much disk it takes.

SELECT
  'every chosen entity is backed up' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities missing from the backup; it holds ' || (
    SELECT CAST(count(*) AS text) || ' entities, about ' || CAST(round(CAST(count(*) * 60 + coalesce(sum(octet_length(held.customer_entity_id) + octet_length(array_to_string(held.identifiers, '')) + array_length(held.identifiers, 1) * 2), 0) AS numeric) / 1048576, 1) AS text) || ' MB'
    FROM external_data.rs_example_multi_entities_backup AS held
  ) AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_multi_entities AS chosen ON chosen.customer_entity_id = a.customer_entity_id
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_entities_backup AS b WHERE b.customer_entity_id = a.customer_entity_id)
UNION ALL
SELECT
  'every backed-up entity is a chosen one' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' backed-up entities are not in ' || 'entities.txt' || ' (e.g. ' || coalesce(min(b.customer_entity_id), 'none')
    || '): the next steps walk the backup and would change them. Nothing was changed. The backup was kept from another version of this runbook or changed by hand:'
    || ' finish or undo that run with its own runbook, or generate this one with another --incident' AS detail
FROM external_data.rs_example_multi_entities_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_multi_entities AS chosen WHERE chosen.customer_entity_id = b.customer_entity_id);
