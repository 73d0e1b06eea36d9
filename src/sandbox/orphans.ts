import type { Queryable } from './db.js';

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
