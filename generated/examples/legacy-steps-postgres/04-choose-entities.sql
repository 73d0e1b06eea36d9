-- restitch:step 4/17
-- restitch:kind change
-- restitch:title Step 1: choose the entities to clean
--
-- Why: Step 1 of the wiki: the entities whose events match the condition.
-- Expect: INSERT succeeds; running again adds nothing.

-- Wiki Step 1. It runs before Step 0 here: once events are deleted, the condition can no
-- longer find their entities in public.customer_events.
INSERT INTO temp_table.rs_example_legacy_entities_to_clean (customer_entity_id)
SELECT DISTINCT customer_events.customer_entity_id::uuid
FROM public.customer_events
WHERE customer_events.customer_entity_id IS NOT NULL
  AND ((customer_events.payload->>'ps_identifier' = 'None'))
ON CONFLICT (customer_entity_id) DO NOTHING;
