-- restitch:step 4/7
-- restitch:kind change
-- restitch:title Put back the entity columns that were changed, all or nothing
--
-- Why: One transaction that first locks every backed-up entity: it changes nothing unless every
--   one of them still exists, and once restored (modified set again) the clean-up routine no
--   longer deletes them.
-- Expect: UPDATE n, n being the number of backed-up entities; UPDATE 0 means an entity was
--   deleted meanwhile and the next check stops undo with nothing changed. An error `restitch:
--   undo step ... refused` names an entity stitched again since, with nothing changed.

-- Puts back modified of every backed-up entity, all or nothing, in one statement.
-- The inner SELECT locks every backed-up entity that still exists (FOR UPDATE: the clean-up
-- routine cannot delete a locked row, and a row it deleted meanwhile is not counted); the UPDATE
-- changes rows only when that count is the whole backup. Once modified is set again, the clean-up
-- routine leaves the entity alone. PostgreSQL: https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE
-- CockroachDB takes FOR UPDATE in subqueries too (pkg/sql/logictest/testdata/logic_test/select_for_update).
-- A join, not IN (SELECT ...): see `restitch lint` rule dml-uncorrelated-subquery. Its condition
-- stands in WHERE, not ON: `cockroach sql` turns on sql_safe_updates, which since v24.1 refuses a
-- SELECT ... FOR UPDATE with neither WHERE nor LIMIT (cockroachdb/cockroach PR 121403, issue 110131).
-- Only while every backed-up entity is as the forward run left it (modified and identifiers
-- NULL) or as backed up: one that CPS stitched again since stops it with nothing changed.
UPDATE customer_attributes
SET modified = b.modified
FROM external_data.rs_example_oneshot_entities_backup AS b
WHERE b.customer_entity_id = customer_attributes.customer_entity_id
  AND (
    SELECT count(*)
    FROM (
      SELECT a.customer_entity_id
      FROM external_data.rs_example_oneshot_entities_backup AS k, customer_attributes AS a
      WHERE a.customer_entity_id = k.customer_entity_id
      FOR UPDATE OF a
    ) AS present
  ) = (SELECT count(*) FROM external_data.rs_example_oneshot_entities_backup)
  AND (
    SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
      'restitch: undo step 4 (restore-entities) refused, this statement changed nothing: entity ' || min(CAST(live.customer_entity_id AS text))
        || ' is neither as the forward run left it nor as backed up (changed since: CPS stitched it again, or another writer); '
        || CAST(count(*) AS text) || ' such row(s). Undo no longer applies to it and would overwrite newer data: the way back is forward, re-stitching (run the forward runbook to its end)'
      AS INT8) END
    FROM (
      SELECT live.customer_entity_id, live.modified
      FROM external_data.rs_example_oneshot_entities_backup AS k, customer_attributes AS live
      WHERE live.customer_entity_id = k.customer_entity_id
      FOR UPDATE OF live
    ) AS live
    WHERE NOT (live.modified IS NULL)
      AND NOT EXISTS (
        SELECT 1
        FROM external_data.rs_example_oneshot_entities_backup AS kept
        WHERE kept.customer_entity_id = live.customer_entity_id
          AND kept.modified IS NOT DISTINCT FROM live.modified
      )
  ) = 0;
