/**
 * Past the point of no return the only way is forward, so the event reset itself looks for
 * profile stitching's work since the pause (CPS enabled but idle: no session to see) before its
 * first batch changes anything: events sharing an identifier with the reset entities (every event
 * in full-reset) stitched since the pause began. It refuses with nothing changed; once CPS is
 * disabled the same command goes on, looking only at what happened after the refusal. The legacy
 * schema's Step 5 (queue the events) does the same with the events matched since the pause.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { L1, seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR, examples } from '../helpers/examples.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const NEW_EVENT = '00000000-0000-4000-8000-0000000000ee';

describe('the legacy queueing of the events after a pause past the point of no return', () => {
  it('legacy-steps-postgres: CPS matched an arriving event during the pause: Step 5 refuses, nothing changed; with CPS disabled the same command goes on', async () => {
    const name = 'legacy-steps-postgres';
    const ex = examples().find((e) => e.name === name)!;
    const dir = join(EXAMPLES_DIR, name);
    const number = (slug: string) => ex.manifest.steps.findIndex((s) => s.file.endsWith(`-${slug}.sql`)) + 1;
    const db = await server.database(`csp${++dbCount}`, LEGACY_SCHEMA_DDL);
    const url = server.url(`csp${dbCount}`);
    try {
      await seedLegacy(db);
      const forward = await runInProcess(dir, url, { to: number('entity-deletes-queued') });
      expect(forward.exitCode, JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))).toBe(0);
      // The pause: plumbing wrote an event, CPS (enabled but idle) matched it, to a new entity.
      await db.query(`INSERT INTO cdp_ce.customer_events VALUES ('${NEW_EVENT}', now(), '{"ps_identifier": "x1"}')`);
      await db.query(`INSERT INTO cdp_ps.matching VALUES ('${NEW_EVENT}', '${NEW_EVENT}')`);
      const paused = await snapshot(db, true);
      const resumed = await runInProcess(dir, url, { to: number('events-queued') });
      const failed = resumed.steps.find((s) => s.status !== 'done');
      expect(resumed.exitCode).toBe(1);
      expect(failed?.step).toBe(number('queue-events'));
      expect(failed?.message).toMatch(new RegExp(`refused, this statement changed nothing: 1 event\\(s\\) that happened since the pause began are matched \\(e\\.g\\. ${NEW_EVENT}\\).*Disable CPS`));
      expect(await snapshot(db, true)).toEqual(paused);
      const again = await runInProcess(dir, url, { to: number('events-queued') });
      expect(again.exitCode, JSON.stringify(again.steps.filter((s) => s.status !== 'done'))).toBe(0);
    } finally {
      await db.end();
    }
  }, 60_000);
});

describe('the legacy Step 0 after a pause', () => {
  it('legacy-steps-delete-events-postgres: CPS matched an arriving event to the entity after the check before Step 0: Step 0 refuses, nothing changed', async () => {
    const name = 'legacy-steps-delete-events-postgres';
    const ex = examples().find((e) => e.name === name)!;
    const dir = join(EXAMPLES_DIR, name);
    const number = (slug: string) => ex.manifest.steps.findIndex((s) => s.file.endsWith(`-${slug}.sql`)) + 1;
    const db = await server.database(`csp${++dbCount}`, LEGACY_SCHEMA_DDL);
    const url = server.url(`csp${dbCount}`);
    try {
      await seedLegacy(db);
      const forward = await runInProcess(dir, url, { to: number('events-to-delete-backed-up') });
      expect(forward.exitCode, JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))).toBe(0);
      await db.query(`INSERT INTO cdp_ce.customer_events VALUES ('${NEW_EVENT}', now(), '{"ps_identifier": "x1"}')`);
      await db.query(`INSERT INTO cdp_ps.matching VALUES ('${NEW_EVENT}', '${L1}')`);
      const paused = await snapshot(db, true);
      const resumed = await runInProcess(dir, url, { to: number('events-deleted') });
      const failed = resumed.steps.find((s) => s.status !== 'done');
      expect(resumed.exitCode).toBe(1);
      expect(failed?.step).toBe(number('delete-events'));
      expect(failed?.message).toMatch(new RegExp(`refused, this statement changed nothing: 1 event\\(s\\) of these entities that happened since this runbook began are matched \\(e\\.g\\. ${NEW_EVENT}\\)`));
      expect(await snapshot(db, true)).toEqual(paused);
    } finally {
      await db.end();
    }
  }, 60_000);
});

describe('the event reset after a pause past the point of no return', () => {
  for (const name of ['multi-entity-postgres', 'full-reset-postgres']) {
    it(`${name}: CPS stitched an event during the pause: the first batch refuses, nothing changed; with CPS disabled the same command goes on`, async () => {
      const ex = examples().find((e) => e.name === name)!;
      const dir = join(EXAMPLES_DIR, name);
      const number = (slug: string) => ex.manifest.steps.findIndex((s) => s.file.endsWith(`-${slug}.sql`)) + 1;
      const db = await server.database(`csp${++dbCount}`, CURRENT_SCHEMA_DDL);
      const url = server.url(`csp${dbCount}`);
      const platform = platformBeside(url, false, `${ex.manifest.inputs.workSchema}.restitch_journal`);
      try {
        await seedCurrent(db);
        const forward = await runInProcess(dir, url, { to: number('entities-deleted') });
        expect(forward.exitCode, JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))).toBe(0);
        // The pause: CPS, enabled but idle, stitched a new event with a reset entity's identifier.
        await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ('${NEW_EVENT}', '2026-01-03', '{"ps_identifier": "None"}', now(), '{None}')`);
        const paused = await snapshot(db, false);
        const resumed = await runInProcess(dir, url, { to: number('events-reset') });
        const failed = resumed.steps.find((s) => s.status !== 'done');
        expect(resumed.exitCode).toBe(1);
        expect(failed?.step).toBe(number('reset-events'));
        expect(failed?.message).toMatch(new RegExp(`refused, this statement changed nothing: 1 event\\(s\\).* stitched since the pause began \\(e\\.g\\. ${NEW_EVENT}\\).*Disable CPS`));
        expect(await snapshot(db, false)).toEqual(paused);
        // CPS disabled (nothing stitched since the refusal): the same command goes on to the end of the reset.
        const again = await runInProcess(dir, url, { to: number('events-reset') });
        expect(again.exitCode, JSON.stringify(again.steps.filter((s) => s.status !== 'done'))).toBe(0);
      } finally {
        await platform.stop();
        await db.end();
      }
    }, 60_000);
  }
});
