-- restitch:step 10/21
-- restitch:kind change
-- restitch:title Step 2: list the events of these entities
--
-- Why: Step 2 of the wiki: the ids Step 5 queues for stitching.
-- Expect: INSERT succeeds; running again adds nothing.

-- Wiki Step 2: every event that belongs to an entity to clean.
INSERT INTO temp_table.rs_example_legacy_delete_events_to_clean (id)
SELECT DISTINCT customer_events.id::uuid
FROM public.customer_events
WHERE customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM temp_table.rs_example_legacy_delete_entities_to_clean AS e)
ON CONFLICT (id) DO NOTHING;
