-- restitch:step 13/15
-- restitch:kind check
-- restitch:title Every backed-up event is reset
--
-- Why: Proves the batch step covered every event before CPS is enabled.
-- Expect: ok = true on both rows.

SELECT
  'every backed-up event went through the reset' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' row(s) not processed yet' AS detail
FROM external_data.rs_example_full_reset_events_backup AS src
WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_example_full_reset_events_reset_done AS done WHERE done.id = src.id)
UNION ALL
SELECT
  'no backed-up event is still stitched' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' events still stitched' AS detail
FROM customer_events AS e
JOIN external_data.rs_example_full_reset_events_backup AS b ON b.id = e.id
WHERE e.stitched IS NOT NULL OR e.identifiers IS NOT NULL
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
