/**
 * Undo inside the clean-up window, against a clean-up routine that reads the marked entities
 * first and deletes those ids later without reading modified again (cleanup: 'read-then-delete').
 * Undo puts the entity back before the delete lands; the delete then removes the restored
 * entity, and its restored events keep identifiers no entity holds. The same undo against the
 * routine that re-checks modified keeps the entity.
 */
import { join } from 'node:path';
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

const DIR = join(EXAMPLES_DIR, 'entity-oneshot-postgres');
const JOURNAL = 'external_data.restitch_journal';
/** The check after the entity was marked, before the wait for its deletion (the point of no return). */
const MARKED = 8;
/** Long enough for undo to start (and, as it is today, finish) inside the window, after the routine has read the marked entity. */
const DELAY_MS = 4_000;

async function undoInsideTheWindow(cleanup: CleanupMode, name: string) {
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  const url = server.url(name);
  const platform = platformBeside(url, false, JOURNAL, { cleanup, cleanupDelayMs: DELAY_MS });
  try {
    const forward = await runInProcess(DIR, url, { to: MARKED });
    expect(forward.exitCode).toBe(0);
    // A few rounds of the routine: it has seen the entity marked, and not deleted it yet.
    await new Promise((r) => setTimeout(r, 300));
    const marked = await db.query('SELECT 1 FROM customer_attributes WHERE customer_entity_id = $1 AND modified IS NULL', [E1]);
    expect(marked.rowCount, 'undo starts inside the clean-up window').toBe(1);
    const undo = await runInProcess(DIR, url, { undo: true });
    expect(undo.exitCode, JSON.stringify(undo.steps.filter((s) => s.status !== 'done'))).toBe(0);
    const restored = (await db.query('SELECT customer_entity_id FROM customer_attributes WHERE customer_entity_id = $1', [E1])).rowCount;
    await platform.settled();
    const kept = (await db.query('SELECT customer_entity_id FROM customer_attributes WHERE customer_entity_id = $1', [E1])).rowCount;
    return { restored, kept, orphans: await orphanedEvents(db) };
  } finally {
    await platform.stop();
    await db.end();
  }
}

describe('undo inside the clean-up window', () => {
  it('against a routine that re-checks modified before it deletes: the restored entity stays', async () => {
    expect(await undoInsideTheWindow('recheck', 'window_recheck')).toEqual({ restored: 1, kept: 1, orphans: [] });
  }, 60_000);

  it('against a routine that reads first and deletes later: the restored entity stays, no event orphaned', async () => {
    expect(await undoInsideTheWindow('read-then-delete', 'window_read_first')).toEqual({ restored: 1, kept: 1, orphans: [] });
  }, 60_000);
});
