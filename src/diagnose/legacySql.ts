/**
 * The statements diagnose sends on the legacy schema (PostgreSQL only, as legacy-steps):
 * cdp_ce.customer_events (id text holding a UUID, payload), cdp_ps.matching (one row per
 * stitched event, btree on customer_entity_id) and the queue cdp_ps.customer_events_to_process.
 * The identifier is a payload field (what the PS rule reads); there is no index on it, so
 * values are read from the key-order sample only, and cdp_ce.customer_events is read through
 * its primary key only.
 */

/**
 * One block of the key-order sample: the $2 events from the id $1 on (primary key range with a
 * limit), each with the payload field $3, whether the payload has that field at all, and its
 * entity (a matching primary-key look-up; NULL: no matching row).
 */
export const LEGACY_SAMPLE = `SELECT ce.id AS id, ce.payload ->> $3::text AS value, ce.payload ? $3::text AS has_field, m.customer_entity_id::text AS entity
FROM cdp_ce.customer_events AS ce
LEFT JOIN cdp_ps.matching AS m ON m.customer_event_id = ce.id::uuid
WHERE ce.id >= $1::text
ORDER BY ce.id
LIMIT $2`;

/** Matched events of the entity $1 (the matching_entity btree, index only), counted up to $2. */
export const LEGACY_EVENTS_OF_ENTITY = `SELECT count(*) AS n FROM (
  SELECT 1 FROM cdp_ps.matching WHERE customer_entity_id = $1::uuid LIMIT $2
) AS capped`;

/**
 * Which of the events $1 wait in the to-process queue. The queue has no index: this scans it
 * (the backlog, which CPS empties as it runs), never the event tables.
 */
export const LEGACY_QUEUED = `SELECT DISTINCT customer_event_id::text AS id
FROM cdp_ps.customer_events_to_process
WHERE customer_event_id = ANY ($1::uuid[])`;

/** The queue backlog, counted up to $1. */
export const LEGACY_BACKLOG = `SELECT count(*) AS n FROM (
  SELECT 1 FROM cdp_ps.customer_events_to_process LIMIT $1
) AS capped`;

/** Row estimates of the legacy tables from the catalog (reltuples; -1 before the first ANALYZE). */
export const LEGACY_ESTIMATES = `SELECT n.nspname || '.' || c.relname AS name, c.reltuples AS rows
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND (n.nspname, c.relname) IN (('cdp_ce', 'customer_events'), ('cdp_ps', 'matching'), ('cdp_ps', 'customer_events_to_process'))
ORDER BY 1`;
