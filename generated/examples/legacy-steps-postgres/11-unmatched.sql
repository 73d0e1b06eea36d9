-- restitch:step 11/17
-- restitch:kind check
-- restitch:title No matching row of these entities is left, and CPS has not run since the runbook began
-- restitch:recheck-on-resume
--
-- Why: Proves Step 3 did what it promises. Step 4, next, is the point of no return, and Step 5
--   queues the events for CPS: were CPS enabled (idle, its sessions unseen), it would take them
--   at once with the old rule. Any event matched since the runbook began shows it ran
--   (cdp_ce.customer_events is read whole: it has no index on event_time). A resumed run checks
--   this again before it goes on.
-- Expect: ok = true on every row.

SELECT
  'no matching row of these entities is left' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' rows left' AS detail
FROM cdp_ps.matching AS m
WHERE m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_entities_to_clean AS e)
UNION ALL
SELECT
  'no event was stitched since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(cps.id) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(cps.id) AS text) || ' events that happened after ' || CAST(max(s.taken_at) AS text) || ' are matched'
      || coalesce(' (e.g. ' || min(cps.id) || '): only profile stitching writes cdp_ps.matching, so it ran while it should not: disable CPS; what it did since is in no list or backup of this runbook', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_backup_meta AS m) AS s
LEFT JOIN (
  SELECT cps.id
  FROM (
    SELECT ce.id, since.at
    FROM (
      SELECT s.taken_at AS at
      FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '1dabad416a3a7d80bddda51bc7b8bbed8f66e35e05727693f1db6a4be40a23a9' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_backup_meta AS m) AS s
    ) AS since
    JOIN cdp_ce.customer_events AS ce ON ce.event_time > since.at
    JOIN cdp_ps.matching AS m ON m.customer_event_id = CAST(ce.id AS uuid)
    LIMIT 1000
  ) AS cps
) AS cps ON true;
