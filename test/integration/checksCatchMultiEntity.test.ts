/**
 * Each check row of multi-entity (and its event-time variant) meets the realistic fault it guards
 * against and stops the run there, before the next change (docs/checks.md lists them). The
 * CockroachDB example runs its own check on the same data (test/helpers/checkCatch.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { E1, E2, E3, ev } from '../../src/sandbox/seed.js';
import { expectCaught } from '../helpers/checkCatch.js';
import { addedBelowTheWalk, asBackedUp, lastEntityBatchLost, lastEventBatchLost } from '../helpers/checkFaults.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const MULTI = ['multi-entity-postgres', 'multi-entity-event-time-postgres'];
const NEW_EVENT = '00000000-0000-4000-8000-0000000000cc';

describe('multi-entity: every check row stops the run on the fault it guards against', () => {
  it('entities loaded: an id left in the working table by an earlier load; an entity merged away before the run', async () => {
    await expectCaught(server, MULTI, {
      check: 'entities-loaded',
      fault: (db, t) => db.query(`INSERT INTO ${t('entities')} VALUES ('${E3}')`),
      rows: ['the working table holds exactly the 2 ids of entities.txt'],
    });
    await expectCaught(server, MULTI, {
      check: 'entities-loaded',
      fault: (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E2}'`),
      rows: ['every chosen entity exists'],
    });
  }, 60_000);

  it('entities backed up: an entity loaded again by hand after the backup ran is not in it', async () => {
    await expectCaught(server, ['multi-entity-postgres'], {
      check: 'entities-backed-up',
      fault: (db, t) => db.query(`INSERT INTO ${t('entities')} VALUES ('${E3}')`),
      rows: ['every chosen entity is backed up'],
    });
    // With the event filter: E3's event passes it (15:00 after 11:30).
    await expectCaught(server, ['multi-entity-event-time-postgres'], {
      check: 'entities-backed-up',
      fault: (db, t) => db.query(`INSERT INTO ${t('entities')} VALUES ('${E3}')`),
      rows: ['every chosen entity with an event passing the filter is backed up'],
    });
  }, 60_000);

  it('entities backed up: the backup also holds an entity not in entities.txt (a wider backup kept from another version)', async () => {
    for (const name of ['multi-entity-postgres', 'multi-entity-event-time-postgres']) {
      await expectCaught(server, [name], {
        check: 'entities-backed-up',
        fault: (db, t) => db.query(`INSERT INTO ${t('entities_backup')} SELECT customer_entity_id, modified, identifiers FROM customer_attributes WHERE customer_entity_id = '${E3}'`),
        rows: ['every backed-up entity is a chosen one'],
      });
    }
  }, 60_000);

  it('entities backed up (event filter): no event of the chosen entities passes the filter (they all predate it)', async () => {
    await expectCaught(server, ['multi-entity-event-time-postgres'], {
      check: 'entities-backed-up',
      seed: (db) => db.query(`UPDATE customer_events SET event_time = '2025-12-31'`),
      rows: ['the event filter chooses at least one entity'],
      fault: async () => undefined,
    });
  }, 60_000);

  it('export complete: CPS stitched a new event into an entity during the pause after the export', async () => {
    await expectCaught(server, MULTI, {
      check: 'export-complete',
      fault: async (db) => {
        await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ('${NEW_EVENT}', '2026-01-03', '{"ps_identifier": "None"}', now(), '{None}')`);
        await db.query(`UPDATE customer_attributes SET modified = now() WHERE customer_entity_id = '${E1}'`);
      },
      rows: ['no event of the entities to reset is left out (it would keep identifiers no entity holds)', 'every entity to reset is still as backed up (nothing stitched it since)'],
    });
  }, 60_000);

  it('export complete: CPS, enabled but idle, stitched into an entity in a pause between disabling CPS and creating the working tables', async () => {
    // The runbook's start is when the runner recorded CPS disabled (step 1), not when step 2 ran.
    await expectCaught(server, MULTI, {
      check: 'export-complete',
      faultAfter: 'disable-cps',
      fault: async (db) => {
        await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ('${NEW_EVENT}', '2026-01-03', '{"ps_identifier": "None"}', now(), '{None}')`);
        await db.query(`UPDATE customer_attributes SET modified = now() WHERE customer_entity_id = '${E1}'`);
      },
      rows: ['no entity to reset was modified since this runbook began (profile stitching ran?)', 'no event to reset was stitched since this runbook began (profile stitching ran?)'],
    });
  }, 60_000);

  it('export complete: the export wrote nothing (run by hand in a transaction that was rolled back)', async () => {
    await expectCaught(server, MULTI, {
      check: 'export-complete',
      fault: (db, t) => db.query(`DELETE FROM ${t('events_backup')}`),
      rows: ['events to reset were exported'],
    });
  }, 60_000);

  it('export complete: a concurrent writer set modified on an entity after its backup', async () => {
    await expectCaught(server, MULTI, {
      check: 'export-complete',
      fault: (db) => db.query(`UPDATE customer_attributes SET modified = now() WHERE customer_entity_id = '${E2}'`),
      rows: ['every entity to reset is still as backed up (nothing stitched it since)'],
    });
  }, 60_000);

  it('entities reset: the last batch of the reset never ran', async () => {
    await expectCaught(server, MULTI, {
      check: 'entities-reset',
      fault: lastEntityBatchLost,
      rows: ['every backed-up entity went through the reset'],
    });
  }, 60_000);

  it('entities reset: an entity recorded as reset still holds its identifiers (its UPDATE did not persist)', async () => {
    await expectCaught(server, MULTI, {
      check: 'entities-reset',
      fault: (db, t) => asBackedUp(db, t, `b.customer_entity_id = '${E1}'`),
      rows: ['no backed-up entity still has modified or identifiers set'],
    });
  }, 60_000);

  it('entities reset: an entity joined the backup below the highest key the walk has done', async () => {
    await expectCaught(server, ['multi-entity-postgres'], {
      check: 'entities-reset',
      fault: (db, t) => addedBelowTheWalk(db, t, `'2026-01-01', '{z9}'`),
      rows: ['no backed-up entity still has modified or identifiers set'],
    });
  }, 60_000);

  it('entities deleted (wait): the clean-up routine has not deleted a reset entity yet', async () => {
    await expectCaught(server, MULTI, {
      check: 'entities-deleted',
      // The routine is late: the entities are still there, marked (the platform beside the run was stopped before it acted).
      fault: (db, t) => db.query(`INSERT INTO customer_attributes SELECT customer_entity_id, NULL, NULL, NULL FROM ${t('entities_backup')} ON CONFLICT DO NOTHING`),
      rows: ['the clean-up routine has deleted every reset entity'],
    });
  }, 60_000);

  it('events reset: the last batch of the event reset never ran; CPS enabled too early stitched a reset event again', async () => {
    await expectCaught(server, MULTI, {
      check: 'events-reset',
      fault: lastEventBatchLost('reset'),
      rows: ['every backed-up event went through the reset', 'no backed-up event is still stitched'],
    });
    await expectCaught(server, MULTI, {
      check: 'events-reset',
      fault: (db) => db.query(`UPDATE customer_events SET stitched = now(), identifiers = '{None}' WHERE id = '${ev(3)}'`),
      rows: ['no backed-up event is still stitched'],
    });
  }, 60_000);

  it('restitched (wait): CPS has not stitched a reset event yet', async () => {
    await expectCaught(server, MULTI, {
      check: 'restitched',
      faultAfter: 'enable-cps',
      cpsNeverStarts: true,
      // CPS was confirmed enabled but has not run: the reset events are as the reset left them.
      fault: async () => undefined,
      rows: ['profile stitching has stitched every reset event since this runbook reset it'],
    });
  }, 60_000);
});
