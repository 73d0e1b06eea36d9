/**
 * Loads the copy into a database of the embedded PostgreSQL built with the sandbox schema
 * (src/sandbox/schema.ts): one INSERT per table from the rows as JSON
 * (jsonb_populate_recordset turns JSON arrays into text[] and ISO strings into timestamptz).
 */
import type { Queryable } from '../sandbox/db.js';
import type { SourceCopy } from './copySource.js';

const LOAD = (table: string, columns: string) => `INSERT INTO ${table} (${columns})
SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`;

/** Loads `copy` into `db` (its schema already created). */
export async function loadCopy(db: Queryable, copy: SourceCopy): Promise<void> {
  if (copy.schema === 'current') {
    await db.query(LOAD('customer_attributes', 'customer_entity_id, modified, calculated, identifiers'), [JSON.stringify(copy.entities)]);
    await db.query(LOAD('customer_events', 'id, event_time, payload, stitched, identifiers'), [JSON.stringify(copy.events)]);
    return;
  }
  await db.query(LOAD('cdp_ce.customer_events', 'id, event_time, payload'), [JSON.stringify(copy.events)]);
  const matching = copy.events.map((e) => ({ customer_event_id: e.matched_event, customer_entity_id: e.entity }));
  await db.query(LOAD('cdp_ps.matching', 'customer_event_id, customer_entity_id'), [JSON.stringify(matching)]);
}
