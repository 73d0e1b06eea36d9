-- restitch:step 5/7
-- restitch:kind wait
-- restitch:title Every entity is back as it was, and stays so for one clean-up period
-- restitch:interval 15s
-- restitch:timeout 2m
-- restitch:hold 2m
--
-- Why: Compares every entity with its backup before any event is put back, again and again for
--   2 minutes: a clean-up routine that read an entity marked for deletion before undo put it
--   back may delete it all the same within about a minute, and events put back for it would
--   belong to no entity. An entity deleted stops undo here with no event put back; the way back
--   is then forward (the forward runbook run on to its end re-stitches its reset events).
-- Expect: ok = true on every row on every try for 2 minutes; the first try with a row not ok
--   stops the run, naming an entity.
--
-- By hand: run the query every 15s for 2m; every run must give ok = true on every row: stop at the first that does not.

-- Run again and again for one clean-up period: a clean-up routine that read an entity marked for
-- deletion before undo put it back may delete it all the same, without reading modified again.
-- Events put back for an entity deleted so would belong to no entity, so none is put back before
-- every entity has survived the period.
SELECT
  'every backed-up entity still exists' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities are gone (e.g. ' || coalesce(min(b.customer_entity_id), 'none') || ')'
    || ': the clean-up routine deleted them (it may have read them marked before undo put them back). No event was put back.'
    || ' Undo cannot finish: the way back is forward. Run the forward runbook on to its end (restitch run <its directory>):'
    || ' it waits for the clean-up routine, then has CPS re-stitch their events'
    AS detail
FROM external_data.rs_example_multi_entities_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM customer_attributes AS a WHERE a.customer_entity_id = b.customer_entity_id)
UNION ALL
SELECT
  'every backed-up entity has its old values' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities differ from the backup (e.g. ' || coalesce(min(a.customer_entity_id), 'none') || ')' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_multi_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.modified IS DISTINCT FROM b.modified
  OR a.identifiers IS DISTINCT FROM b.identifiers;
