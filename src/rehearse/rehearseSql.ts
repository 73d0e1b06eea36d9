/**
 * The statements rehearse sends. To the source, in diagnose's read-only session
 * (diagnoseSql.ts SESSIONS): plain SELECTs through the primary keys, the identifiers GIN index
 * (current schema) and the matching_entity btree (legacy schema), each bounded by a LIMIT. To the
 * local copy: the state of the copied rows before and after the rehearsal.
 */

/** Current schema: the chosen entities ($1), their columns as the sandbox schema has them. */
export const SOURCE_ENTITIES = `SELECT customer_entity_id, modified, calculated, identifiers
FROM customer_attributes
WHERE customer_entity_id = ANY ($1::text[])
ORDER BY 1`;

/** Current schema: events sharing an identifier with $1 (GIN look-up), counted up to $2. */
export const SOURCE_EVENT_COUNT = `SELECT count(*) AS n FROM (
  SELECT 1 FROM customer_events WHERE identifiers && $1::text[] LIMIT $2
) AS capped`;

/** Current schema: those events ($1 identifiers, GIN look-up), at most $2. */
export const SOURCE_EVENTS = `SELECT id::text AS id, event_time, payload, stitched, identifiers
FROM customer_events
WHERE identifiers && $1::text[]
ORDER BY id
LIMIT $2`;

/**
 * Legacy schema: the matched events of the entities $1 (matching_entity btree), counted up to $2.
 */
export const LEGACY_SOURCE_EVENT_COUNT = `SELECT count(*) AS n FROM (
  SELECT 1 FROM cdp_ps.matching WHERE customer_entity_id = ANY ($1::uuid[]) LIMIT $2
) AS capped`;

/**
 * Legacy schema: the matched events of the entities $1, at most $2, each with its matching row.
 * cdp_ce.customer_events.id is text holding a UUID; it is looked up by the UUID's canonical
 * text (its primary key), as the platform writes it.
 */
export const LEGACY_SOURCE_EVENTS = `SELECT ce.id, ce.event_time, ce.payload, m.customer_event_id::text AS matched_event, m.customer_entity_id::text AS entity
FROM cdp_ps.matching AS m
JOIN cdp_ce.customer_events AS ce ON ce.id = m.customer_event_id::text
WHERE m.customer_entity_id = ANY ($1::uuid[])
ORDER BY ce.id
LIMIT $2`;

/** The copy, current schema: each event with the entities whose identifiers it shares. */
export const COPY_CURRENT_EVENTS = `SELECT e.id::text AS id, e.stitched IS NULL AS pending, coalesce(cardinality(e.identifiers), 0) > 0 AS identified,
  coalesce(array_agg(a.customer_entity_id ORDER BY a.customer_entity_id) FILTER (WHERE a.customer_entity_id IS NOT NULL), '{}') AS entities
FROM customer_events AS e
LEFT JOIN customer_attributes AS a ON a.identifiers && e.identifiers
GROUP BY e.id, e.stitched, e.identifiers
ORDER BY 1`;

/** The copy, current schema: each entity with the number of its identifiers. */
export const COPY_CURRENT_ENTITIES = `SELECT customer_entity_id AS entity, coalesce(cardinality(identifiers), 0) AS identifiers
FROM customer_attributes
ORDER BY 1`;

/** The copy, legacy schema: each event with its identifier value ($1 the payload field), entity and whether it waits in the queue. */
export const COPY_LEGACY_EVENTS = `SELECT ce.id AS id, ce.payload ->> $1::text AS value, m.customer_entity_id::text AS entity,
  EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS p WHERE p.customer_event_id = ce.id::uuid) AS pending
FROM cdp_ce.customer_events AS ce
LEFT JOIN cdp_ps.matching AS m ON m.customer_event_id = ce.id::uuid
ORDER BY 1`;

/** Row estimate of the event table on PostgreSQL ($1 'customer_events' or 'cdp_ce.customer_events'); -1 before the first ANALYZE. */
export const EVENT_ROWS_ESTIMATE = `SELECT c.reltuples AS rows FROM pg_class AS c
WHERE c.oid = to_regclass($1::text)`;
