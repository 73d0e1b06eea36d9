/**
 * Full reset resumed after a pause (steps 7 -> 9): the backed-up checks are re-run before the
 * first change, in both directions (every stitched row is backed up; every backed-up row is
 * still as backed up), so an event CPS stitched into an entity during the pause stops the resume
 * before anything is reset, and no event is left with identifiers no entity holds.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent, snapshot } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const DIR = join(EXAMPLES_DIR, 'full-reset-postgres');
const JOURNAL = 'external_data.restitch_journal';
const EVENTS_BACKED_UP = 8;
const ARRIVED = '00000000-0000-4000-8000-0000000000aa';

describe('full reset: a resume re-checks the backups against the live tables', () => {
  it('CPS stitched a new event into an entity after step 8: the resume is refused before step 9, naming the entity; nothing changes, no event is orphaned', async () => {
    const db = await server.database('fr_stale', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('fr_stale');
    const first = await runInProcess(DIR, url, { to: EVENTS_BACKED_UP });
    expect(first.exitCode, JSON.stringify(first.steps.filter((s) => s.status !== 'done'))).toBe(0);
    // CPS during the pause: a new event with a new identifier, stitched into E1.
    await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
      VALUES ('${ARRIVED}', now(), '{"ps_identifier": "a2"}', now(), '{a2}')`);
    await db.query(`UPDATE customer_attributes SET identifiers = identifiers || ARRAY['a2'], modified = now() WHERE customer_entity_id = '${E1}'`);
    const paused = await snapshot(db, false);

    const platform = platformBeside(url, false, JOURNAL);
    const resumed = runInProcess(DIR, url);
    await expect(resumed).rejects.toThrow(
      new RegExp(`resume refused before step 9: step 6 \\(Every stitched entity is backed up, and is still as backed up\\) no longer passes: 1 entities changed since their backup \\(e\\.g\\. ${E1}\\)`),
    );
    await platform.stop();
    expect(await snapshot(db, false)).toEqual(paused);
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  }, 60_000);

  it('an event stitched during the pause and missing from the backup is named by step 8 when its entity is unchanged', async () => {
    const db = await server.database('fr_missing', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('fr_missing');
    const first = await runInProcess(DIR, url, { to: EVENTS_BACKED_UP });
    expect(first.exitCode).toBe(0);
    await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
      VALUES ('${ARRIVED}', now(), '{"ps_identifier": "a1"}', now(), '{a1}')`);
    const paused = await snapshot(db, false);
    await expect(runInProcess(DIR, url)).rejects.toThrow(
      new RegExp(`resume refused before step 9: step 8 \\(Every stitched event is backed up, and is still as backed up\\) no longer passes: 1 events missing from the backup \\(e\\.g\\. ${ARRIVED}\\)`),
    );
    expect(await snapshot(db, false)).toEqual(paused);
    await db.end();
  }, 60_000);

  it('CPS stitched a backed-up event again during the pause (its entity unchanged): the resume is refused by step 8, naming the event', async () => {
    const db = await server.database('fr_restitched', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('fr_restitched');
    expect((await runInProcess(DIR, url, { to: EVENTS_BACKED_UP })).exitCode).toBe(0);
    const event = '00000000-0000-4000-8000-000000000002';
    await db.query(`UPDATE customer_events SET stitched = now() WHERE id = '${event}'`);
    const paused = await snapshot(db, false);
    await expect(runInProcess(DIR, url)).rejects.toThrow(
      new RegExp(`resume refused before step 9: step 8 \\(.*\\) no longer passes: 1 events changed since their backup \\(e\\.g\\. ${event}\\)`),
    );
    expect(await snapshot(db, false)).toEqual(paused);
    await db.end();
  }, 60_000);

  it('the same pause without CPS: the resume goes on at step 9 and finishes with no orphaned event', async () => {
    const db = await server.database('fr_quiet', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('fr_quiet');
    expect((await runInProcess(DIR, url, { to: EVENTS_BACKED_UP })).exitCode).toBe(0);
    const platform = platformBeside(url, false, JOURNAL);
    const resumed = await runInProcess(DIR, url);
    await platform.stop();
    expect(resumed.exitCode, JSON.stringify(resumed.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(resumed.steps[0]?.step).toBe(EVENTS_BACKED_UP + 1);
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  }, 60_000);
});
