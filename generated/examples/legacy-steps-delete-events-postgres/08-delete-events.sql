-- restitch:step 8/21
-- restitch:kind change
-- restitch:title Step 0: delete the events of these entities that match --delete-where
--
-- Why: Step 0 of the wiki, run after Step 1 so the entities could still be found by the
--   condition.
-- Expect: DELETE n, n being the number of events backed up.

-- Wiki Step 0: delete the events saved in the backup that the condition chooses now. A backup
-- another version of this runbook took (--reuse-backups) may hold more; those stay (the check
-- before this step names them and stops).
DELETE FROM cdp_ce.customer_events AS ce
WHERE ce.id IN (SELECT b.id FROM temp_table.rs_example_legacy_delete_deleted_events_backup AS b)
  AND ce.id IN (
    SELECT customer_events.id
    FROM public.customer_events
    WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
  AND (customer_events.payload->>'ps_identifier' = 'None')
  )
  -- Nor while events of these entities were matched since the runbook began: CPS, enabled but
  -- idle (its sessions unseen), ran during a pause before this step, and the backups and lists
  -- would no longer be the runbook's (matched-since). The check before this step says so too; a
  -- run resumed at this step meets it here.
  AND (
    SELECT CASE WHEN count(*) = 0 THEN 0 ELSE CAST(
      'restitch: step 8 (delete-events) refused, this statement changed nothing: ' || CAST(count(*) AS text)
        || ' event(s) of these entities that happened since this runbook began are matched (e.g. ' || min(cps.id) || '): only profile stitching writes cdp_ps.matching,'
        || ' so it ran while it should not. Disable CPS, undo this runbook (restitch run --undo), then generate a new one'
      AS INT8) END
    FROM (
      SELECT ce.id, since.at
      FROM (
        SELECT s.taken_at AS at
        FROM (SELECT CASE WHEN max(CASE WHEN m.fingerprint = 'b8ca0e5e92bc464cf37645e0794448816e0e3f0927814f81ec8dedcb09842c30' THEN 1 END) = 1 THEN min(m.taken_at) END AS taken_at FROM temp_table.rs_example_legacy_delete_backup_meta AS m) AS s
      ) AS since
      JOIN cdp_ps.matching AS m ON m.customer_entity_id IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
      JOIN cdp_ce.customer_events AS ce ON ce.id = CAST(m.customer_event_id AS text) AND ce.event_time > since.at
      LIMIT 1000
    ) AS cps
  ) = 0;
