-- restitch:step 4/15
-- restitch:kind check
-- restitch:title How many entities and events this resets
--
-- Why: A reviewer and the person running it should see the size of the reset before anything
--   changes.
-- Expect: ok = true; detail gives the number of entities and events, and about how much disk
--   each backup takes.

-- A slightly stale read is fine here: CPS is stopped and nothing has been changed yet.
SELECT scope.check_name, scope.ok, scope.detail
FROM (
  SELECT
    'there are entities to delete' AS check_name,
    count(*) > 0 AS ok,
    CAST(count(*) AS text) || ' entities will be deleted and rebuilt; their backup takes about ' || CAST(round(CAST(count(*) * 100 + coalesce(sum(octet_length(customer_attributes.customer_entity_id) + octet_length(array_to_string(customer_attributes.identifiers, '')) + array_length(customer_attributes.identifiers, 1) * 4), 0) AS numeric) / 1048576, 1) AS text) || ' MB' AS detail
  FROM customer_attributes
  WHERE modified IS NOT NULL OR identifiers IS NOT NULL
  UNION ALL
  SELECT
    'there are events to re-stitch' AS check_name,
    count(*) > 0 AS ok,
    CAST(count(*) AS text) || ' events will be reset for re-stitching; their backup takes about ' || CAST(round(CAST(count(*) * 150 + coalesce(sum(octet_length(array_to_string(customer_events.identifiers, '')) + array_length(customer_events.identifiers, 1) * 4), 0) AS numeric) / 1048576, 1) AS text) || ' MB' AS detail
  FROM customer_events
  WHERE stitched IS NOT NULL OR identifiers IS NOT NULL
) AS scope;
