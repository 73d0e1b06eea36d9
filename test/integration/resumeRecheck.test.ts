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

const DIR = join(EXAMPLES_DIR, 'multi-entity-postgres');
const JOURNAL = 'external_data.restitch_journal';
const EXPORT_CHECKED = 9;
const ARRIVED = '00000000-0000-4000-8000-0000000000aa';

/** What CPS does to E1 when it runs during the pause: a new event with a new identifier, stitched into E1. */
async function cpsStitchesDuringThePause(db: { query: (sql: string) => Promise<unknown> }): Promise<void> {
  await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
    VALUES ('${ARRIVED}', now(), '{"ps_identifier": "a2"}', now(), '{a2}')`);
  await db.query(`UPDATE customer_attributes SET identifiers = identifiers || ARRAY['a2'], modified = now() WHERE customer_entity_id = '${E1}'`);
}

describe('a resumed run re-checks what can go stale during a pause', () => {
  it('CPS stitched an event into an entity after the export check: the resume is refused, nothing changes, no event is orphaned', async () => {
    const db = await server.database('stale_export', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('stale_export');
    const first = await runInProcess(DIR, url, { to: EXPORT_CHECKED });
    expect(first.exitCode, JSON.stringify(first.steps.filter((s) => s.status !== 'done'))).toBe(0);
    await cpsStitchesDuringThePause(db);
    const paused = await snapshot(db, false);

    const platform = platformBeside(url, false, JOURNAL);
    const resumed = runInProcess(DIR, url);
    // Refused naming the stale check and the entity, before step 10 changed anything.
    await expect(resumed).rejects.toThrow(
      new RegExp(`resume refused before step 10: step 9 \\(The export and backups are complete\\) no longer passes: 1 entities changed since their backup \\(e\\.g\\. ${E1}\\)`),
    );
    await platform.stop();
    expect(await snapshot(db, false)).toEqual(paused);
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  }, 60_000);

  it('the same pause without CPS: the resume goes on and finishes', async () => {
    const db = await server.database('quiet_pause', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('quiet_pause');
    const first = await runInProcess(DIR, url, { to: EXPORT_CHECKED });
    expect(first.exitCode).toBe(0);
    const platform = platformBeside(url, false, JOURNAL);
    const resumed = await runInProcess(DIR, url);
    await platform.stop();
    expect(resumed.exitCode, JSON.stringify(resumed.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(resumed.steps[0]?.step).toBe(EXPORT_CHECKED + 1);
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  }, 60_000);
});
