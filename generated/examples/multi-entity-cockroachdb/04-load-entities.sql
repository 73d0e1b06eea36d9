-- restitch:step 4/16
-- restitch:kind change
-- restitch:title Load the chosen entity ids into the working table
-- restitch:copy-from entities.txt
--
-- Why: Many entity ids go into a working table that later statements join, instead of a giant
--   IN list. The ids are in entities.txt (one a line, 2 ids, covered by its sha256 in
--   manifest.json), the one place this runbook holds them.
-- Expect: DELETE of the rows an earlier run loaded (0 the first time), then COPY 2: the runner
--   runs both in one transaction, cockroach sql one after the other (it refuses COPY in a
--   transaction).
--
-- By hand, from the runbook directory: cockroach sql reads the COPY data from its input, up to a line \.
-- (cat <this file> entities.txt; printf '\\.\n') | cockroach sql --url "$DATABASE_URL"
-- No BEGIN: cockroach sql refuses COPY in a transaction; the COPY alone is all or nothing, and the
-- next step proves the table holds exactly entities.txt (run this step again until it does).
-- restitch bundle carries the ids inline the same way.

-- The rows an earlier run of this step loaded go first (in the same transaction when the runner
-- runs it; cockroach sql refuses COPY in a transaction): running it again loads entities.txt
-- again instead of failing on a duplicate key, and the next step's check proves the result.
DELETE FROM external_data.rs_example_multi_entities WHERE customer_entity_id IS NOT NULL;
COPY external_data.rs_example_multi_entities (customer_entity_id) FROM STDIN;
