/**
 * Faults the check rows guard against, shared by the checksCatch tests (test/helpers/checkCatch.ts
 * runs them): rows deleted or inserted and taken back, a batch walk's last batch lost, entities
 * put back as backed up.
 */
import type pg from 'pg';
import type { Fault, Tables } from './checkCatch.js';

/** A fault that deletes rows of `table` (`where` on alias `x`); it returns how to put them back. */
export async function takenOut(db: pg.Client, table: string, where = 'true'): Promise<() => Promise<unknown>> {
  const { rows } = await db.query<{ row: unknown }>(`DELETE FROM ${table} AS x WHERE ${where} RETURNING to_jsonb(x.*) AS row`);
  return () => db.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(rows.map((r) => r.row))]);
}

/** A fault that inserts the rows of `select` into `table`; it returns how to delete them again. */
export async function putIn(db: pg.Client, table: string, select: string): Promise<() => Promise<unknown>> {
  const { rows } = await db.query<{ row: unknown }>(`INSERT INTO ${table} AS x ${select} RETURNING to_jsonb(x.*) AS row`);
  return () => db.query(`DELETE FROM ${table} AS x WHERE to_jsonb(x.*) = ANY($1::jsonb[])`, [rows.map((r) => JSON.stringify(r.row))]);
}

/**
 * Entities as backed up (`which`: a condition on the backup `b`), put back whether or not the
 * clean-up routine beside the run has deleted them meanwhile.
 */
export function asBackedUp(db: pg.Client, t: Tables, which: string): Promise<unknown> {
  return db.query(`INSERT INTO customer_attributes (customer_entity_id, modified, calculated, identifiers)
    SELECT b.customer_entity_id, b.modified, b.modified, b.identifiers FROM ${t('entities_backup')} AS b WHERE ${which}
    ON CONFLICT (customer_entity_id) DO UPDATE SET modified = excluded.modified, identifiers = excluded.identifiers`);
}

/** The last batch of the entity walk never ran: its key is not recorded as done and its entity is as backed up. */
export async function lastEntityBatchLost(db: pg.Client, t: Tables): Promise<void> {
  await db.query(`DELETE FROM ${t('entities_reset_done')} WHERE id = (SELECT max(id) FROM ${t('entities_reset_done')})`);
  await asBackedUp(db, t, `b.customer_entity_id > coalesce((SELECT max(id) FROM ${t('entities_reset_done')}), '')`);
}

/**
 * The last batch of an event walk never ran: its event is not recorded as done and is as the batch
 * found it: as backed up before the reset; before the restore, reset (`resetByForward`: the
 * forward run reset the events) or as backed up.
 */
export const lastEventBatchLost =
  (walk: 'reset' | 'undo', resetByForward = false): Fault['fault'] =>
  async (db, t) => {
    const done = t(`events_${walk}_done`);
    const last = `(SELECT d.id FROM ${done} AS d ORDER BY d.ord DESC LIMIT 1)`;
    const found = walk === 'undo' && resetByForward ? 'NULL, identifiers = NULL' : 'b.stitched, identifiers = b.identifiers';
    await db.query(`UPDATE customer_events AS e SET stitched = ${found} FROM ${t('events_backup')} AS b WHERE b.id = e.id AND e.id = ${last}`);
    await db.query(`DELETE FROM ${done} WHERE id = ${last}`);
  };

/**
 * An entity joins the backup below the highest key the reset walk has done (backups kept with
 * `--reuse-backups` while the chosen set changed): the walk, which goes on above that key, never
 * visits it. `row` is its backup row's values after the id.
 */
export async function addedBelowTheWalk(db: pg.Client, t: Tables, row: string): Promise<void> {
  await db.query(`INSERT INTO customer_attributes VALUES ('0-added-later', '2026-01-01', '2026-01-01', '{z9}')`);
  await db.query(`INSERT INTO ${t('entities_backup')} VALUES ('0-added-later', ${row})`);
}
