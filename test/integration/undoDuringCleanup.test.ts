/**
 * Undo inside the clean-up window, against a clean-up routine that reads the marked entities
 * first and deletes those ids later without reading modified again (cleanup: 'read-then-delete').
 * Undo puts the entity back before the delete lands; the delete then removes the restored entity.
 * Undo's entities-restored wait holds for one clean-up period before any event is put back: it
 * sees the entity gone, stops naming it with no event put back, and the forward run, the way
 * forward it names, goes on to re-stitch the events. The same undo against the routine that
 * re-checks modified keeps the entity and finishes.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CleanupMode } from '../../src/sandbox/platformModel.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const JOURNAL = 'external_data.restitch_journal';
/** An example, its check after the entities were marked (before the wait for their deletion, the point of no return), and its event backup. */
interface Case {
  dir: string;
  marked: number;
  eventsBackup: string;
}
const ONESHOT: Case = { dir: join(EXAMPLES_DIR, 'entity-oneshot-postgres'), marked: 8, eventsBackup: 'external_data.rs_example_oneshot_events_backup' };
const MULTI: Case = { dir: join(EXAMPLES_DIR, 'multi-entity-postgres'), marked: 11, eventsBackup: 'external_data.rs_example_multi_events_backup' };
/** Long enough for undo to start inside the window, after the routine has read the marked entity. */
const DELAY_MS = 4_000;
/** Undo's hold, one clean-up period of this platform (the runbook's own is two minutes). */
const HOLD_S = DELAY_MS / 1000 + 1;

const exists = async (db: pg.Client) => (await db.query('SELECT 1 FROM customer_attributes WHERE customer_entity_id = $1', [E1])).rowCount;
/** Backed-up events still reset (stitched NULL). */
const stillReset = async (db: pg.Client, c: Case) =>
  Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM customer_events AS e JOIN ${c.eventsBackup} AS b ON b.id = e.id WHERE e.stitched IS NULL`)).rows[0]?.n);
/** The backed-up events as they are now. */
const events = async (db: pg.Client, c: Case) =>
  (await db.query(`SELECT e.id, e.stitched, e.identifiers FROM customer_events AS e JOIN ${c.eventsBackup} AS b ON b.id = e.id ORDER BY e.id`)).rows;

async function undoInsideTheWindow(c: Case, cleanup: CleanupMode, name: string, after: (db: pg.Client, url: string, undo: Awaited<ReturnType<typeof runInProcess>>, left: unknown[]) => Promise<void>) {
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  const url = server.url(name);
  const platform = platformBeside(url, false, JOURNAL, { cleanup, cleanupDelayMs: DELAY_MS });
  try {
    const forward = await runInProcess(c.dir, url, { to: c.marked });
    expect(forward.exitCode).toBe(0);
    // A few rounds of the routine: it has seen the entity marked, and not deleted it yet.
    await new Promise((r) => setTimeout(r, 300));
    const marked = await db.query('SELECT 1 FROM customer_attributes WHERE customer_entity_id = $1 AND modified IS NULL', [E1]);
    expect(marked.rowCount, 'undo starts inside the clean-up window').toBe(1);
    const left = await events(db, c);
    const undo = await runInProcess(c.dir, url, { undo: true, waitHold: HOLD_S });
    await after(db, url, undo, left);
    await platform.settled();
    expect(await orphanedEvents(db), 'events stitched to no entity').toEqual([]);
  } finally {
    await platform.stop();
    await db.end();
  }
}

describe('undo inside the clean-up window', () => {
  it('against a routine that re-checks modified before it deletes: the restored entity survives the hold, undo finishes', async () => {
    await undoInsideTheWindow(ONESHOT, 'recheck', 'window_recheck', async (db, _url, undo) => {
      expect(undo.exitCode, JSON.stringify(undo.steps.filter((s) => s.status !== 'done'))).toBe(0);
      expect(await exists(db)).toBe(1);
      expect(await stillReset(db, ONESHOT)).toBe(0);
    });
  }, 60_000);

  /** Undo stops at the hold naming an entity, with no event put back; the forward run re-stitches them. */
  const stopsThenForward = (c: Case) => async (db: pg.Client, url: string, undo: Awaited<ReturnType<typeof runInProcess>>, left: unknown[]) => {
    expect(undo.exitCode).toBe(1);
    const stopped = undo.steps.find((s) => s.status !== 'done');
    expect(stopped?.file).toBe('undo/05-entities-restored.sql');
    const row = stopped?.details?.find((r) => r.check_name === 'every backed-up entity still exists');
    expect(row?.ok).toBe(false);
    // It names the entity and the way forward.
    expect(String(row?.detail)).toContain(E1);
    expect(String(row?.detail)).toContain('Run the forward runbook on to its end');
    expect(await exists(db)).toBe(0);
    // No event was put back: every backed-up event is as the forward run left it.
    expect(left.length).toBeGreaterThan(0);
    expect(await events(db, c)).toEqual(left);
    // The way forward named: the forward run goes on where it stopped and re-stitches them.
    const onward = await runInProcess(c.dir, url);
    expect(onward.exitCode, JSON.stringify(onward.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(await stillReset(db, c)).toBe(0);
    expect(await events(db, c)).not.toEqual(left);
  };

  it('against a routine that reads first and deletes later: the hold sees the entity deleted, no event is put back, and the forward run re-stitches them', async () => {
    await undoInsideTheWindow(ONESHOT, 'read-then-delete', 'window_read_first', stopsThenForward(ONESHOT));
  }, 60_000);

  it('multi-entity, against a routine that reads first and deletes later: the hold sees the entities deleted, and the forward run re-stitches their events', async () => {
    await undoInsideTheWindow(MULTI, 'read-then-delete', 'window_multi', stopsThenForward(MULTI));
  }, 60_000);
});
