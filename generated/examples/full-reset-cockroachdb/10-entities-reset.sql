-- restitch:step 10/15
-- restitch:kind check
-- restitch:title Every backed-up entity is marked for deletion
--
-- Why: Proves the batch step covered every entity before anything else changes.
-- Expect: ok = true on both rows.

SELECT
  'every backed-up entity went through the reset' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) not processed yet' AS detail
FROM external_data.rs_example_full_reset_entities_backup AS src
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_entities_reset_done AS done WHERE done.id = src.customer_entity_id)
UNION ALL
SELECT
  'no backed-up entity still has modified or identifiers set' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities still set' AS detail
FROM customer_attributes AS a
JOIN external_data.rs_example_full_reset_entities_backup AS b ON b.customer_entity_id = a.customer_entity_id
WHERE a.modified IS NOT NULL OR a.identifiers IS NOT NULL
UNION ALL
SELECT
  'no entity to reset was modified since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' entities modified after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_full_reset_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.customer_entity_id AS text) AS k, live.modified AS changed_at
  FROM external_data.rs_example_full_reset_entities_backup AS b
  JOIN customer_attributes AS live ON live.customer_entity_id = b.customer_entity_id
) AS w ON w.changed_at > s.taken_at
UNION ALL
SELECT
  'no event to reset was stitched since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' events stitched after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '8d0ce5b1606905c0c58cc6b88f6d7312b5c892ffcb99fadd16c81f0b8afb67af' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_full_reset_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.id AS text) AS k, live.stitched AS changed_at
  FROM external_data.rs_example_full_reset_events_backup AS b
  JOIN customer_events AS live ON live.id = b.id
) AS w ON w.changed_at > s.taken_at;
