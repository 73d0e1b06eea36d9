-- restitch:step 4/15
-- restitch:kind check
-- restitch:title How many entities and events this resets
--
-- Why: A reviewer and the person running it should see the size of the reset before anything
--   changes.
-- Expect: ok = true; detail gives the number of entities and events.

-- A slightly stale read is fine here: CPS is stopped and nothing has been changed yet.
SELECT scope.check_name, scope.ok, scope.detail
FROM (
  SELECT
    'there are entities to delete' AS check_name,
    count(*) > 0 AS ok,
    CAST(count(*) AS text) || ' entities will be deleted and rebuilt' AS detail
  FROM customer_attributes
  WHERE modified IS NOT NULL OR identifiers IS NOT NULL
  UNION ALL
  SELECT
    'there are events to re-stitch' AS check_name,
    count(*) > 0 AS ok,
    CAST(count(*) AS text) || ' events will be reset for re-stitching' AS detail
  FROM customer_events
  WHERE stitched IS NOT NULL OR identifiers IS NOT NULL
) AS scope;
