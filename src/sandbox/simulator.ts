/**
 * The platform's side, for tests and the demo: the clean-up routine and a reference stitcher.
 * The current-schema stitcher stitches events whose `stitched` is NULL by connected components over shared
 * identifiers; `normalise` is the PS rule (return null for a value that is no identifier). The
 * identifier field of a current-schema event may hold an array: each value goes through the rule.
 */
import type { Queryable } from './db.js';

/** A PS rule: the identifier of an event payload value, or null when it is not one. */
export type Normalise = (raw: unknown) => string | null;

/** The broken rule the incident is about: "None" and "0" count as identifiers. */
export const brokenRule: Normalise = (raw) => (raw === null || raw === undefined ? null : String(raw));

/** The fixed rule: "None", "0" and empty are no identifier; 12345.0 is 12345. */
export const fixedRule: Normalise = (raw) => {
  if (raw === null || raw === undefined) return null;
  const text = String(raw).trim().replace(/^(\d+)\.0+$/, '$1');
  return text === '' || text === 'None' || text === '0' ? null : text;
};

/** The identifiers of an event's identifier field under `normalise`: one value or an array of them, sorted, without repeats. */
export function identifiersOf(value: unknown, normalise: Normalise): string[] {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  return [...new Set(values.map(normalise).filter((v): v is string => v !== null))].sort();
}

/** Current schema clean-up routine: deletes entities whose modified is NULL. */
export async function cleanupCurrent(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM customer_attributes WHERE modified IS NULL')).rowCount ?? 0;
}

/** Current schema stitcher: one pass over every event with stitched IS NULL. */
export async function stitchCurrent(db: Queryable, normalise: Normalise, field = 'ps_identifier'): Promise<number> {
  const events = (
    await db.query<{ id: string; value: unknown }>(
      `SELECT id, payload->$1 AS value FROM customer_events WHERE stitched IS NULL ORDER BY event_time, id`,
      [field],
    )
  ).rows;
  for (const event of events) {
    // The field may hold one value or an array of them (an event seen with several identifiers).
    const identifiers = identifiersOf(event.value, normalise);
    await db.query('UPDATE customer_events SET stitched = now(), identifiers = $2 WHERE id = $1', [event.id, identifiers]);
    if (identifiers.length === 0) continue;
    const owners = (
      await db.query<{ customer_entity_id: string; identifiers: string[] }>(
        'SELECT customer_entity_id, identifiers FROM customer_attributes WHERE identifiers && $1 ORDER BY customer_entity_id',
        [identifiers],
      )
    ).rows;
    const merged = [...new Set([...identifiers, ...owners.flatMap((o) => o.identifiers)])].sort();
    const keep = owners[0]?.customer_entity_id ?? `entity-${event.id}`;
    for (const other of owners.slice(1)) {
      await db.query('DELETE FROM customer_attributes WHERE customer_entity_id = $1', [other.customer_entity_id]);
    }
    await db.query(
      `INSERT INTO customer_attributes (customer_entity_id, modified, calculated, identifiers) VALUES ($1, now(), now(), $2)
       ON CONFLICT (customer_entity_id) DO UPDATE SET modified = now(), calculated = now(), identifiers = $2`,
      [keep, merged],
    );
  }
  return events.length;
}

/**
 * Recalculation: entities with calculated IS NULL get a new calculated timestamp, and with
 * `setsModified` a new modified one too (a platform whose recalculation counts as a change).
 */
export async function recalculateCurrent(db: Queryable, setsModified = false): Promise<number> {
  const set = setsModified ? 'calculated = now(), modified = now()' : 'calculated = now()';
  return (await db.query(`UPDATE customer_attributes SET ${set} WHERE calculated IS NULL`)).rowCount ?? 0;
}

/**
 * Legacy stitcher: consumes customer_events_to_process, writing cdp_ps.matching rows. An event
 * with no identifier under `normalise` gets no matching row (it stays unmatched, as the "None"
 * events of an incident do under the corrected rule). The field may hold an array of values, like
 * the current stitcher's. An event sharing identifiers with several entities merges them into the
 * first, as profile stitching does.
 * The delete actions in cdp_attr.customer_entities_audit are a log the platform reads; it keeps
 * the rows (the wiki never deletes from it), and what it cleans for them is not modelled here.
 */
export async function stitchLegacy(db: Queryable, normalise: Normalise, field = 'ps_identifier'): Promise<number> {
  const queued = (
    await db.query<{ id: string; value: unknown }>(
      `SELECT DISTINCT p.customer_event_id AS id, ce.payload->$1 AS value
       FROM cdp_ps.customer_events_to_process AS p
       JOIN cdp_ce.customer_events AS ce ON ce.id::uuid = p.customer_event_id
       ORDER BY 1`,
      [field],
    )
  ).rows;
  for (const event of queued) {
    const identifiers = identifiersOf(event.value, normalise);
    if (identifiers.length > 0) {
      const matched = (
        await db.query<{ customer_entity_id: string; value: unknown }>(
          `SELECT DISTINCT m.customer_entity_id, ce.payload->$1 AS value FROM cdp_ps.matching AS m
           JOIN cdp_ce.customer_events AS ce ON ce.id::uuid = m.customer_event_id`,
          [field],
        )
      ).rows;
      const shares = (m: { value: unknown }) => identifiersOf(m.value, normalise).some((i) => identifiers.includes(i));
      const owners = [...new Set(matched.filter(shares).map((m) => m.customer_entity_id))].sort();
      const entity = owners[0] ?? event.id;
      if (owners.length > 1) {
        await db.query('UPDATE cdp_ps.matching SET customer_entity_id = $1 WHERE customer_entity_id = ANY($2::uuid[])', [entity, owners.slice(1)]);
      }
      await db.query(
        `INSERT INTO cdp_ps.matching (customer_event_id, customer_entity_id) VALUES ($1, $2)
         ON CONFLICT (customer_event_id) DO NOTHING`,
        [event.id, entity],
      );
    }
    await db.query('DELETE FROM cdp_ps.customer_events_to_process WHERE customer_event_id = $1', [event.id]);
  }
  return queued.length;
}

/**
 * One round of the platform: in the current schema the clean-up routine and the recalculation
 * always; the stitcher with `rule` only while CPS is enabled.
 */
export async function platformRound(db: Queryable, legacy: boolean, cpsEnabled: boolean, rule: Normalise): Promise<void> {
  if (legacy) {
    if (cpsEnabled) await stitchLegacy(db, rule);
  } else {
    await cleanupCurrent(db);
    await recalculateCurrent(db);
    if (cpsEnabled) await stitchCurrent(db, rule);
  }
}
