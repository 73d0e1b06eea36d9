/**
 * The platform's clean-up routine (current schema): it deletes the entities marked for deletion
 * (modified = NULL) `delayMs` after it first sees them marked, from customer_attributes (and, in
 * production, OpenSearch). Two ways to do it:
 * - 'recheck' (default): it deletes only the rows still marked when the delay has run out, so an
 *   entity put back (modified set again) within the delay survives;
 * - 'read-then-delete': it reads the marked ids once and deletes those ids when the delay has run
 *   out, without reading modified again, as a routine that queues deletes does. An entity put back
 *   within the delay is deleted all the same.
 */
import type { Queryable } from './db.js';

/** How the clean-up routine deletes a marked entity. */
export type CleanupMode = 'recheck' | 'read-then-delete';

/** One pass of the routine at `now`: how many entities it deleted, how many it still waits on. */
export type CleanupPass = (db: Queryable, now: number) => Promise<{ deleted: number; waiting: number }>;

export function cleanupRoutine(mode: CleanupMode, delayMs: number): CleanupPass {
  const seenAt = new Map<string, number>();
  return async (db, now) => {
    const marked = (await db.query<{ id: string }>('SELECT customer_entity_id AS id FROM customer_attributes WHERE modified IS NULL')).rows.map((r) => r.id);
    if (mode === 'recheck') {
      // An entity no longer marked is forgotten: marked again later, its delay starts again.
      const still = new Set(marked);
      for (const id of seenAt.keys()) if (!still.has(id)) seenAt.delete(id);
    }
    for (const id of marked) if (!seenAt.has(id)) seenAt.set(id, now);
    const due = [...seenAt].filter(([, at]) => now - at >= delayMs).map(([id]) => id);
    for (const id of due) seenAt.delete(id);
    if (due.length === 0) return { deleted: 0, waiting: seenAt.size };
    const sql =
      mode === 'recheck'
        ? 'DELETE FROM customer_attributes WHERE modified IS NULL AND customer_entity_id = ANY ($1::text[])'
        : 'DELETE FROM customer_attributes WHERE customer_entity_id = ANY ($1::text[])';
    const r = await db.query(sql, [due]);
    return { deleted: r.rowCount ?? 0, waiting: seenAt.size };
  };
}
