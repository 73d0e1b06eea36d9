/**
 * DDL of the platform tables, built from the columns the source runbook uses. Types that the
 * document does not show are assumptions, each noted beside its column:
 * - current schema: customer_entity_id is text (the wiki compares it with 'abc'); identifiers
 *   are text[] (it uses <@ on them); modified/calculated/stitched are timestamps set to NULL.
 * - legacy schema: cdp_ce.customer_events.id is text holding a UUID (the wiki casts id::uuid);
 *   matching, audit and the to-process queue key by uuid (the wiki casts into them).
 * The current schema and the legacy schema both have a public.customer_events, so each lives in
 * a database of its own.
 */
export const CURRENT_SCHEMA_DDL = `
CREATE TABLE customer_attributes (
  customer_entity_id text PRIMARY KEY,
  modified timestamptz,
  calculated timestamptz,
  identifiers text[]
);
CREATE TABLE customer_events (
  id uuid PRIMARY KEY,
  event_time timestamptz NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  stitched timestamptz,
  identifiers text[]
);
CREATE INDEX customer_events_identifiers ON customer_events USING gin (identifiers);
`;

export const LEGACY_SCHEMA_DDL = `
CREATE SCHEMA cdp_ce;
CREATE SCHEMA cdp_ps;
CREATE SCHEMA cdp_attr;
CREATE TABLE cdp_ce.customer_events (
  id text PRIMARY KEY,
  event_time timestamptz NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE cdp_ps.matching (
  customer_event_id uuid PRIMARY KEY,
  customer_entity_id uuid NOT NULL
);
CREATE INDEX matching_entity ON cdp_ps.matching (customer_entity_id);
CREATE TABLE cdp_attr.customer_entities_audit (
  customer_entity_id uuid NOT NULL,
  created timestamptz NOT NULL,
  action text NOT NULL
);
CREATE TABLE cdp_ps.customer_events_to_process (
  customer_event_id uuid NOT NULL,
  created timestamptz NOT NULL
);
CREATE VIEW public.customer_events AS
SELECT ce.id, ce.event_time, ce.payload, m.customer_entity_id::text AS customer_entity_id
FROM cdp_ce.customer_events AS ce
JOIN cdp_ps.matching AS m ON m.customer_event_id = ce.id::uuid;
`;
