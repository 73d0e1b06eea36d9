/**
 * Each check row of legacy-steps (with and without Step 0's --delete-where) and orphan-recovery
 * meets the realistic fault it guards against and stops the run there, before the next change
 * (docs/checks.md lists them).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ev, L1, L3 } from '../../src/sandbox/seed.js';
import type pg from 'pg';
import { expectCaught, expectEachCaught, type Fault, type Tables } from '../helpers/checkCatch.js';
import { putIn, takenOut } from '../helpers/checkFaults.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const BOTH = ['legacy-steps-postgres', 'legacy-steps-delete-events-postgres'];
const DELETE = ['legacy-steps-delete-events-postgres'];
const ORPHANS = ['orphan-recovery-postgres'];
const ARRIVED = '00000000-0000-4000-8000-0000000000ee';

/** CPS, running during the pause, stitched a new event (with `identifier`) to L1; returns how to take it back. */
const stitchedToL1 =
  (identifier: string): Fault['fault'] =>
  async (db) => {
    await db.query(`INSERT INTO cdp_ce.customer_events VALUES ('${ARRIVED}', now(), '{"ps_identifier": "${identifier}"}')`);
    await db.query(`INSERT INTO cdp_ps.matching VALUES ('${ARRIVED}', '${L1}')`);
    return () => db.query(`DELETE FROM cdp_ps.matching WHERE customer_event_id = '${ARRIVED}'; DELETE FROM cdp_ce.customer_events WHERE id = '${ARRIVED}'`);
  };

describe('legacy-steps: every check row stops the run on the fault it guards against', () => {
  it('entities chosen: nothing loaded (the load ran in a transaction rolled back); an id left by an earlier load; an entity un-stitched already', async () => {
    const nothingLoaded = { fault: (db: pg.Client, t: Tables) => takenOut(db, t('entities_to_clean')), rows: ['entities to clean were chosen'] };
    await expectCaught(server, ['legacy-steps-postgres'], { check: 'entities-chosen', ...nothingLoaded });
    await expectEachCaught(server, DELETE, { check: 'entities-chosen' }, [
      nothingLoaded,
      { fault: (db, t) => putIn(db, t('entities_to_clean'), `VALUES ('${L3}')`), rows: ['the working table holds exactly the 1 ids of entities.txt'] },
      { fault: (db) => takenOut(db, 'cdp_ps.matching', `x.customer_entity_id = '${L1}'`), rows: ['every chosen entity has stitched events'] },
    ]);
  }, 60_000);

  it("Step 0 backup: the events --delete-where names are gone already; one arrived after the backup; another version's wider backup; an entity would lose every event", async () => {
    await expectCaught(server, DELETE, {
      check: 'events-to-delete-backed-up',
      faultAfter: 'entities-chosen',
      fault: (db) => db.query(`DELETE FROM cdp_ce.customer_events WHERE payload->>'ps_identifier' = 'None'`),
      rows: ['there are events to delete'],
    });
    await expectEachCaught(server, DELETE, { check: 'events-to-delete-backed-up' }, [
      { fault: stitchedToL1('None'), rows: ['every event to delete is backed up'] },
      // A backup taken by another version of the runbook with a wider --delete-where, reused: it holds x1's event.
      {
        fault: (db, t) => putIn(db, t('deleted_events_backup'), `SELECT * FROM cdp_ce.customer_events WHERE id = '${ev(3)}'`),
        rows: ['every backed-up event that still exists matches --delete-where now'],
      },
    ]);
    // L1's only event that --delete-where does not choose is gone: Step 0 would leave it with no event.
    await expectCaught(server, DELETE, {
      check: 'events-to-delete-backed-up',
      faultAfter: 'entities-chosen',
      fault: (db) => db.query(`DELETE FROM cdp_ce.customer_events WHERE id = '${ev(3)}'`),
      rows: ['no entity loses every event (Step 0 deletes a subset, the rest is re-stitched)'],
    });
  }, 60_000);

  it('Step 0 delete: the plumbing wrote a deleted event again', async () => {
    await expectCaught(server, DELETE, {
      check: 'events-deleted',
      fault: (db, t) => db.query(`INSERT INTO cdp_ce.customer_events SELECT * FROM ${t('deleted_events_backup')} WHERE id = '${ev(1)}'`),
      rows: ['every backed-up event is deleted'],
    });
  }, 60_000);

  it('events chosen: nothing chosen (the step ran in a transaction rolled back); CPS stitched a new event to the entity in the pause', async () => {
    await expectEachCaught(server, BOTH, { check: 'events-chosen' }, [
      { fault: (db, t) => takenOut(db, t('events_to_clean')), rows: ['events to clean were chosen'] },
      { fault: stitchedToL1('x2'), rows: ['no event of these entities is missing'] },
    ]);
  }, 60_000);

  it("matching backed up: CPS stitched a new event to the entity after the backup; another version's backup for another entity", async () => {
    await expectEachCaught(server, BOTH, { check: 'matching-backed-up' }, [
      { fault: stitchedToL1('x2'), rows: ['every matching row of these entities is backed up'] },
      { fault: (db, t) => putIn(db, t('matching_backup'), `SELECT * FROM cdp_ps.matching WHERE customer_entity_id = '${L3}'`), rows: ['every backed-up matching row belongs to an entity to clean'] },
    ]);
  }, 60_000);

  it('matching backed up: CPS, enabled but idle, stitched a new event to the entity in a pause before the backup', async () => {
    // Listed before the pause, backed up after it: only the event's time shows CPS ran since the start.
    await expectCaught(server, BOTH, { check: 'matching-backed-up', faultAfter: 'events-chosen', fault: stitchedToL1('x2'), rows: ['no event of these entities was stitched since this runbook began (profile stitching ran?)'] });
  }, 60_000);

  it('Step 0 backup: CPS, enabled but idle, stitched a new event to the entity in a pause before the backup', async () => {
    await expectCaught(server, DELETE, { check: 'events-to-delete-backed-up', faultAfter: 'entities-chosen', fault: stitchedToL1('x2'), rows: ['no event of these entities was stitched since this runbook began (profile stitching ran?)'] });
  }, 60_000);

  it('unmatched: CPS, enabled but idle, stitched a new event to a new entity after the unmatch', async () => {
    await expectCaught(server, BOTH, {
      check: 'unmatched',
      fault: async (db) => {
        await db.query(`INSERT INTO cdp_ce.customer_events VALUES ('${ARRIVED}', now(), '{"ps_identifier": "x2"}')`);
        await db.query(`INSERT INTO cdp_ps.matching VALUES ('${ARRIVED}', '${ARRIVED}')`);
      },
      rows: ['no event was stitched since this runbook began (profile stitching ran?)'],
    });
  }, 60_000);

  it('unmatched: CPS stitched an event to the entity again after the unmatch', async () => {
    await expectCaught(server, BOTH, { check: 'unmatched', fault: stitchedToL1('x2'), rows: ['no matching row of these entities is left'] });
  }, 60_000);

  it("entity deletes queued: the runbook's record lost (a hand-run step half done); the audit row removed before the platform read it", async () => {
    await expectEachCaught(server, BOTH, { check: 'entity-deletes-queued' }, [
      { fault: (db, t) => takenOut(db, t('audit_queued')), rows: ['every entity to clean is recorded as queued'] },
      { fault: (db) => takenOut(db, 'cdp_attr.customer_entities_audit'), rows: ['every entity to clean has a delete action in cdp_attr.customer_entities_audit'] },
    ]);
  }, 60_000);

  it("events queued: the runbook's record lost; another runbook's undo took the rows out of the queue", async () => {
    await expectEachCaught(server, BOTH, { check: 'events-queued' }, [
      { fault: (db, t) => takenOut(db, t('events_queued')), rows: ['every event to clean is recorded as queued'] },
      { fault: (db) => takenOut(db, 'cdp_ps.customer_events_to_process'), rows: ['every event to clean is waiting in cdp_ps.customer_events_to_process'] },
    ]);
  }, 60_000);

  it('restitched (wait): CPS was confirmed enabled but has not taken the queued events', async () => {
    await expectCaught(server, BOTH, {
      check: 'restitched',
      faultAfter: 'enable-cps',
      cpsNeverStarts: true,
      fault: async () => undefined,
      rows: ['CPS has taken every queued event from cdp_ps.customer_events_to_process'],
    });
  }, 60_000);
});

describe('orphan-recovery: every check row stops the run on the fault it guards against', () => {
  it('scope: the orphan was queued already (by the plumbing or another runbook)', async () => {
    await expectCaught(server, ORPHANS, {
      check: 'scope',
      fault: (db) => db.query(`INSERT INTO cdp_ps.customer_events_to_process VALUES ('${ev(7)}', now())`),
      rows: ['there are orphaned events to queue'],
    });
  }, 60_000);

  it("orphans queued: another runbook's undo took the queued row out again", async () => {
    await expectCaught(server, ORPHANS, { check: 'orphans-queued', fault: (db) => db.query('DELETE FROM cdp_ps.customer_events_to_process'), rows: ['every orphaned event is queued'] });
  }, 60_000);

  it('restitched (wait): CPS was confirmed enabled but has not taken the queued orphans', async () => {
    await expectCaught(server, ORPHANS, {
      check: 'restitched',
      faultAfter: 'enable-cps',
      cpsNeverStarts: true,
      fault: async () => undefined,
      rows: ['CPS has taken every queued event from cdp_ps.customer_events_to_process'],
    });
  }, 60_000);
});
