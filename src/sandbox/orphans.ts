import type { Queryable } from './db.js';
import { fixedRule, identifiersOf, type Normalise } from './simulator.js';

/**
 * The invariant every forward run must keep at each rest point: no event with `stitched` set has
 * a non-empty identifier that no existing entity holds (such an event belongs to no profile,
 * and CPS never looks at it again). Returns the ids of the events that break it.
 */
export async function orphanedEvents(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`
    SELECT e.id::text AS id
    FROM customer_events AS e
    WHERE e.stitched IS NOT NULL
      AND array_length(e.identifiers, 1) > 0
      AND EXISTS (
        SELECT 1 FROM unnest(e.identifiers) AS i (identifier)
        WHERE NOT EXISTS (SELECT 1 FROM customer_attributes AS a WHERE i.identifier = ANY (a.identifiers))
      )
    ORDER BY 1`);
  return rows.map((r) => r.id);
}

/**
 * The legacy schema's orphans: events with an identifier under `normalise` that have no
 * cdp_ps.matching row and are not queued in cdp_ps.customer_events_to_process (nothing will ever
 * stitch them; `restitch diagnose` reports them for orphan-recovery). Returns their ids.
 */
export async function unmatchedEvents(db: Queryable, normalise: Normalise = fixedRule, field = 'ps_identifier'): Promise<string[]> {
  const { rows } = await db.query<{ id: string; value: unknown }>(
    `SELECT ce.id, ce.payload->$1 AS value
     FROM cdp_ce.customer_events AS ce
     WHERE NOT EXISTS (SELECT 1 FROM cdp_ps.matching AS m WHERE m.customer_event_id = ce.id::uuid)
       AND NOT EXISTS (SELECT 1 FROM cdp_ps.customer_events_to_process AS q WHERE q.customer_event_id = ce.id::uuid)
     ORDER BY 1`,
    [field],
  );
  return rows.filter((r) => identifiersOf(r.value, normalise).length > 0).map((r) => r.id);
}
