-- restitch:step 9/16
-- restitch:kind check
-- restitch:title The export and backups are complete
-- restitch:recheck-on-resume
--
-- Why: Every event that shares an identifier with an entity to reset must be in the list before
--   the entities lose their identifiers: an event left out would stay stitched to identifiers
--   no entity holds. An entity that changed since its backup, an event of an identifier the
--   entities hold now that the export lacks, and an entity to reset modified or an event
--   stitched since the runbook began (profile stitching ran, idle or paused, where the session
--   count saw none) stop it too; the detail names one. A resumed run checks this again before
--   it goes on.
-- Expect: ok = true on every row; detail gives the number of events and about how much disk
--   their backup takes.

SELECT
  'events to reset were exported' AS check_name,
  count(*) > 0 AS ok,
  CAST(count(*) AS text) || ' events in the working table, about ' || CAST(round(CAST(count(*) * 150 + coalesce(sum(octet_length(array_to_string(b.identifiers, '')) + array_length(b.identifiers, 1) * 4), 0) AS numeric) / 1048576, 1) AS text) || ' MB' AS detail
FROM external_data.rs_example_window_events_backup AS b
UNION ALL
SELECT
  'no event of the entities to reset is left out (it would keep identifiers no entity holds)' AS check_name,
  count(DISTINCT customer_events.id) = 0 AS ok,
  CAST(count(DISTINCT customer_events.id) AS text) || ' events would be orphaned' AS detail
FROM customer_events AS customer_events
WHERE customer_events.identifiers && (
    SELECT array_agg(DISTINCT held.identifier)
    FROM external_data.rs_example_window_entities_backup AS a
    CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
  )
  AND array_length(customer_events.identifiers, 1) > 0
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_window_events_backup AS b WHERE b.id = customer_events.id)
UNION ALL
-- An entity still as it was backed up, or as this runbook left it (modified and identifiers NULL,
-- waiting for the clean-up routine): anything else means something stitched it since (CPS running
-- during a pause), and its backup and this export no longer hold all of its events.
SELECT
  'every entity to reset is still as backed up (nothing stitched it since)' AS check_name,
  count(*) = 0 AS ok,
  CAST(count(*) AS text) || ' entities changed since their backup (e.g. '
    || coalesce(min(a.customer_entity_id), 'none') || '): stitched again while the run was paused? Export again from a new runbook' AS detail
FROM external_data.rs_example_window_entities_backup AS b
JOIN customer_attributes AS a ON a.customer_entity_id = b.customer_entity_id
WHERE NOT (a.modified IS NULL AND a.identifiers IS NULL)
  AND (a.modified IS DISTINCT FROM b.modified OR a.identifiers IS DISTINCT FROM b.identifiers)
UNION ALL
-- The second row again, against the identifiers the entities to reset hold now, not as backed
-- up: an identifier profile stitching added since the backup brings events the export never read.
SELECT
  'no event sharing an identifier the entities to reset hold now is left out' AS check_name,
  count(DISTINCT customer_events.id) = 0 AS ok,
  CAST(count(DISTINCT customer_events.id) AS text) || ' events of their live identifiers not exported'
    || coalesce(' (e.g. ' || min(CAST(customer_events.id AS text)) || '): profile stitching ran since the backup? Export again from a new runbook', '') AS detail
FROM customer_events AS customer_events
WHERE customer_events.identifiers && (
    SELECT array_agg(DISTINCT held.identifier)
    FROM (SELECT live.identifiers FROM customer_attributes AS live JOIN external_data.rs_example_window_entities_backup AS kept ON kept.customer_entity_id = live.customer_entity_id) AS a
    CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier)
  )
  AND array_length(customer_events.identifiers, 1) > 0
  AND NOT EXISTS (SELECT 1 FROM external_data.rs_example_window_events_backup AS b WHERE b.id = customer_events.id)
UNION ALL
SELECT
  'no entity to reset was modified since this runbook began (profile stitching ran?)' AS check_name,
  max(s.taken_at) IS NOT NULL AND count(w.k) = 0 AS ok,
  CASE
    WHEN max(s.taken_at) IS NULL THEN 'the working tables are not stamped with this version of the runbook: no start to compare with'
    ELSE CAST(count(w.k) AS text) || ' entities modified after ' || CAST(max(s.taken_at) AS text)
      || coalesce(' (e.g. ' || min(w.k) || '): profile stitching ran while it should not: disable CPS; what it did since is in no backup', '')
  END AS detail
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '79646bf983a17034eaa826c00bedfddf9be7b735cc915a1c5d1762a19e837aaf' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_window_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(live.customer_entity_id AS text) AS k, live.modified AS changed_at
  FROM external_data.rs_example_window_entities_backup AS b
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
FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = '79646bf983a17034eaa826c00bedfddf9be7b735cc915a1c5d1762a19e837aaf' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM external_data.rs_example_window_backup_meta AS m) AS s
LEFT JOIN (
  SELECT CAST(b.id AS text) AS k, b.stitched AS changed_at
  FROM external_data.rs_example_window_events_backup AS b
) AS w ON w.changed_at > s.taken_at;
