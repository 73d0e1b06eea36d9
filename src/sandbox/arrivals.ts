/**
 * New events as plumbing writes them while a runbook runs. Current schema: a customer_events row,
 * not stitched, no identifiers parsed. Legacy schema: a cdp_ce.customer_events row and its queue
 * row in cdp_ps.customer_events_to_process (created = now(), so it belongs to no runbook).
 */
import type { Queryable } from './db.js';

/**
 * An event that arrives `afterMs` after the model starts (or after `schedule` is called), with
 * `ps_identifier` = `identifier`: one value, or an array of them (an event seen with several
 * identifiers; the stitchers parse each).
 */
export interface Arrival {
  afterMs: number;
  identifier: string | readonly string[];
}

/** The id of the n-th arriving event: deterministic, apart from the seeded ones. */
export const arrivalId = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;

const CURRENT = `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ($1, now(), $2, NULL, NULL) RETURNING *`;
const LEGACY = `WITH e AS (
  INSERT INTO cdp_ce.customer_events (id, event_time, payload) VALUES ($1, now(), $2) RETURNING *
), q AS (
  INSERT INTO cdp_ps.customer_events_to_process (customer_event_id, created) SELECT e.id::uuid, now() FROM e
)
SELECT * FROM e`;

/** Writes the arrivals of `due` (sorted by `at`) that are due at `now`, removing them; appends their rows to `arrived`. */
export async function arrive(db: Queryable, legacy: boolean, due: ({ at: number } & Arrival)[], now: number, arrived: Record<string, unknown>[]): Promise<number> {
  let n = 0;
  while (due.length > 0 && (due[0]?.at ?? Infinity) <= now) {
    const a = due.shift() as Arrival;
    const { rows } = await db.query(legacy ? LEGACY : CURRENT, [arrivalId(arrived.length + 1), { ps_identifier: a.identifier }]);
    arrived.push(...rows);
    n++;
  }
  return n;
}
