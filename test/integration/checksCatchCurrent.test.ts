/**
 * Each check row of full-reset, entity-oneshot and recalc-only meets the realistic fault it guards
 * against and stops the run there, before the next change (docs/checks.md lists them). The
 * CockroachDB example runs its own check on the same data (test/helpers/checkCatch.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { E1, E2, E3, ev, seedGluedEvents, seedPartialOverlap } from '../../src/sandbox/seed.js';
import { expectCaught, type Fault } from '../helpers/checkCatch.js';
import { addedBelowTheWalk, asBackedUp, lastEntityBatchLost, lastEventBatchLost } from '../helpers/checkFaults.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const NEW_EVENT = '00000000-0000-4000-8000-0000000000dd';
/** CPS, enabled during the pause, stitched a new event carrying `identifier`. */
const stitchedInPause = (identifier: string): Fault['fault'] => (db) =>
  db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
    VALUES ('${NEW_EVENT}', '2026-01-03', '{"ps_identifier": "${identifier}"}', now(), '{${identifier}}')`);
/** CPS, enabled but idle, stitched a new event carrying `identifier` into `entity` (which it modified). */
const stitchedIntoEntity = (entity: string, identifier: string): Fault['fault'] => async (db, t, sql) => {
  await stitchedInPause(identifier)(db, t, sql);
  await db.query(`UPDATE customer_attributes SET modified = now(), identifiers = array(SELECT DISTINCT unnest(identifiers || '{${identifier}}')) WHERE customer_entity_id = '${entity}'`);
};
/** CPS enabled too early (with the old rule) stitched a reset event again. */
const restitchedTooEarly: Fault['fault'] = (db) => db.query(`UPDATE customer_events SET stitched = now(), identifiers = '{None}' WHERE id = '${ev(1)}'`);
/** The clean-up routine is late: the reset entities are still there, marked. */
const cleanupLate: Fault['fault'] = (db, t) =>
  db.query(`INSERT INTO customer_attributes SELECT customer_entity_id, NULL, NULL, NULL FROM ${t('entities_backup')} ON CONFLICT DO NOTHING`);

describe('full-reset: every check row stops the run on the fault it guards against', () => {
  const FULL = ['full-reset-postgres'];
  it('scope: the runbook points at a copy of the platform where nothing is stitched', async () => {
    await expectCaught(server, FULL, {
      check: 'scope',
      fault: (db) => db.query('UPDATE customer_attributes SET modified = NULL, identifiers = NULL; UPDATE customer_events SET stitched = NULL, identifiers = NULL'),
      rows: ['there are entities to delete', 'there are events to re-stitch'],
    });
  }, 60_000);

  it('backups: CPS, enabled during the pause, made a new entity and stitched a new event after the backup', async () => {
    await expectCaught(server, FULL, {
      check: 'entities-backed-up',
      fault: (db) => db.query(`INSERT INTO customer_attributes VALUES ('entity-made-in-pause', now(), now(), '{n1}')`),
      rows: ['every stitched entity is backed up'],
    });
    await expectCaught(server, FULL, { check: 'events-backed-up', fault: stitchedInPause('n1'), rows: ['every stitched event is backed up'] });
  }, 60_000);

  it('backups: CPS, enabled but idle, stitched into an entity and a new event after CPS was disabled, before the backups', async () => {
    // The backup taken after the pause equals the live rows: only the start stamp shows CPS ran.
    await expectCaught(server, FULL, {
      check: 'entities-backed-up',
      faultAfter: 'create-working-tables',
      fault: stitchedIntoEntity(E1, 'n1'),
      rows: ['no entity to reset was modified since this runbook began (profile stitching ran?)'],
    });
    await expectCaught(server, FULL, {
      check: 'events-backed-up',
      faultAfter: 'create-working-tables',
      fault: stitchedInPause('n1'),
      rows: ['no event to reset was stitched since this runbook began (profile stitching ran?)'],
    });
  }, 60_000);

  it('entities reset: the last batch never ran; an entity recorded as reset still holds its identifiers', async () => {
    await expectCaught(server, FULL, { check: 'entities-reset', fault: lastEntityBatchLost, rows: ['every backed-up entity went through the reset'] });
    await expectCaught(server, FULL, {
      check: 'entities-reset',
      fault: (db, t) => asBackedUp(db, t, `b.customer_entity_id = '${E3}'`),
      rows: ['no backed-up entity still has modified or identifiers set'],
    });
  }, 60_000);

  it('entities reset: an entity joined the backup below the highest key the walk has done', async () => {
    await expectCaught(server, FULL, {
      check: 'entities-reset',
      fault: (db, t) => addedBelowTheWalk(db, t, `'2026-01-01', '{z9}'`),
      rows: ['no backed-up entity still has modified or identifiers set'],
    });
  }, 60_000);

  it('entities deleted (wait): the clean-up routine has not deleted a reset entity yet', async () => {
    await expectCaught(server, FULL, { check: 'entities-deleted', fault: cleanupLate, rows: ['the clean-up routine has deleted every reset entity'] });
  }, 60_000);

  it('events reset: the last batch never ran; CPS enabled too early stitched a reset event again', async () => {
    await expectCaught(server, FULL, { check: 'events-reset', fault: lastEventBatchLost('reset'), rows: ['every backed-up event went through the reset'] });
    await expectCaught(server, FULL, { check: 'events-reset', fault: restitchedTooEarly, rows: ['no backed-up event is still stitched'] });
  }, 60_000);

  it('restitched (wait): CPS was confirmed enabled but has not stitched the reset events', async () => {
    await expectCaught(server, FULL, { check: 'restitched', faultAfter: 'enable-cps', cpsNeverStarts: true, fault: async () => undefined, rows: ['profile stitching has stitched every reset event since this runbook reset it'] });
  }, 60_000);
});

describe('entity-oneshot: every check row stops the run on the fault it guards against', () => {
  const ONESHOT = ['entity-oneshot-postgres'];
  it('guard: the entity merged away, its identifiers emptied, too many events, an event only partly its own', async () => {
    await expectCaught(server, ONESHOT, { check: 'guard', fault: (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E1}'`), rows: ['the entity exists'] });
    // An empty array is contained in every array: the one-shot statement would reset every customer's events.
    await expectCaught(server, ONESHOT, {
      check: 'guard',
      fault: (db) => db.query(`UPDATE customer_attributes SET identifiers = '{}' WHERE customer_entity_id = '${E1}'`),
      rows: ['the entity has at least one identifier'],
    });
    await expectCaught(server, ONESHOT, { check: 'guard', fault: (db) => seedGluedEvents(db, 1000), rows: ['the entity has at least one and fewer than 1000 events'] });
    // The entity's events were reset already (a second run): nothing would be re-stitched.
    await expectCaught(server, ONESHOT, {
      check: 'guard',
      fault: (db) => db.query(`UPDATE customer_events SET stitched = NULL, identifiers = NULL WHERE identifiers <@ '{None,a1}' AND array_length(identifiers, 1) > 0`),
      rows: ['the entity has at least one and fewer than 1000 events'],
    });
    await expectCaught(server, ONESHOT, { check: 'guard', fault: (db) => seedPartialOverlap(db), rows: ['no event shares only some of its identifiers with the entity'] });
  }, 60_000);

  it('backup complete: the entity backup lost; an event stitched into the entity after the backup', async () => {
    await expectCaught(server, ONESHOT, { check: 'backup-complete', fault: (db, t) => db.query(`DELETE FROM ${t('entities_backup')}`), rows: ['the entity is backed up'] });
    await expectCaught(server, ONESHOT, { check: 'backup-complete', fault: stitchedInPause('a1'), rows: ['every event the one-shot statement will reset is backed up'] });
  }, 60_000);

  it('backup complete: the backup also holds another entity and its event (a backup kept from another version)', async () => {
    await expectCaught(server, ONESHOT, {
      check: 'backup-complete',
      fault: (db, t) => db.query(`INSERT INTO ${t('entities_backup')} SELECT customer_entity_id, modified FROM customer_attributes WHERE customer_entity_id = '${E3}'`),
      rows: ['the backup holds no other entity'],
    });
    // Its event backup too: E3's event, which the statement will not reset.
    await expectCaught(server, ONESHOT, {
      check: 'backup-complete',
      fault: (db, t) => db.query(`INSERT INTO ${t('events_backup')} (id, stitched, identifiers, ord) SELECT id, stitched, identifiers, ctid FROM customer_events WHERE id = '${ev(6)}'`),
      rows: ['every backed-up event is one the one-shot statement will reset'],
    });
  }, 60_000);

  it('backup complete: CPS, enabled but idle, stitched a new event into the entity after CPS was disabled, before the backup', async () => {
    // Backed up as CPS left it, the entity would be un-marked by CPS after the one-shot statement.
    await expectCaught(server, ONESHOT, {
      check: 'backup-complete',
      faultAfter: 'create-working-tables',
      fault: stitchedIntoEntity(E1, 'a1'),
      rows: ['no entity to reset was modified since this runbook began (profile stitching ran?)', 'no event to reset was stitched since this runbook began (profile stitching ran?)'],
    });
  }, 60_000);

  it('reset applied: a concurrent writer set modified again; CPS enabled too early stitched a reset event again', async () => {
    await expectCaught(server, ONESHOT, {
      check: 'reset-applied',
      fault: (db) => db.query(`INSERT INTO customer_attributes VALUES ('${E1}', now(), now(), NULL) ON CONFLICT (customer_entity_id) DO UPDATE SET modified = now()`),
      rows: ['the entity is marked for deletion or already deleted'],
    });
    await expectCaught(server, ONESHOT, { check: 'reset-applied', fault: restitchedTooEarly, rows: ['no backed-up event is still stitched'] });
  }, 60_000);

  it('entity deleted (wait): the clean-up routine has not deleted the entity yet', async () => {
    await expectCaught(server, ONESHOT, { check: 'entity-deleted', fault: cleanupLate, rows: ['the clean-up routine has deleted every reset entity'] });
  }, 60_000);

  it("restitched (wait): CPS was confirmed enabled but has not stitched the entity's reset events", async () => {
    await expectCaught(server, ONESHOT, { check: 'restitched', faultAfter: 'enable-cps', cpsNeverStarts: true, fault: async () => undefined, rows: ['profile stitching has stitched every reset event since this runbook reset it'] });
  }, 60_000);
});

describe('recalc-only: every check row stops the run on the fault it guards against', () => {
  const RECALC = ['recalc-only-postgres'];
  it('entities loaded: an id left by an earlier load; an entity merged away before the run', async () => {
    await expectCaught(server, RECALC, { check: 'entities-loaded', fault: (db, t) => db.query(`INSERT INTO ${t('entities')} VALUES ('${E3}')`), rows: ['the working table holds exactly the 2 ids of entities.txt'] });
    await expectCaught(server, RECALC, { check: 'entities-loaded', fault: (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E2}'`), rows: ['every chosen entity exists'] });
  }, 60_000);

  it('backup complete: an entity loaded again by hand after the backup ran is not in it', async () => {
    await expectCaught(server, RECALC, { check: 'backup-complete', fault: (db, t) => db.query(`INSERT INTO ${t('entities')} VALUES ('${E3}')`), rows: ['every chosen entity is backed up'] });
  }, 60_000);

  it('backup complete: the backup also holds an entity not in entities.txt (a wider backup kept from another version)', async () => {
    await expectCaught(server, RECALC, {
      check: 'backup-complete',
      fault: (db, t) => db.query(`INSERT INTO ${t('entities_backup')} SELECT customer_entity_id, calculated FROM customer_attributes WHERE customer_entity_id = '${E3}'`),
      rows: ['every backed-up entity is a chosen one'],
    });
  }, 60_000);

  it('recalculate applied: the last batch of the walk never ran', async () => {
    await expectCaught(server, RECALC, {
      check: 'recalculate-applied',
      fault: async (db, t) => {
        await db.query(`DELETE FROM ${t('entities_reset_done')} WHERE id = (SELECT max(id) FROM ${t('entities_reset_done')})`);
        await db.query(`UPDATE customer_attributes AS a SET calculated = b.calculated FROM ${t('entities_backup')} AS b
          WHERE b.customer_entity_id = a.customer_entity_id AND b.customer_entity_id > coalesce((SELECT max(id) FROM ${t('entities_reset_done')}), '')`);
      },
      rows: ['every backed-up entity went through the reset', 'every entity is waiting for, or has had, a new calculation'],
    });
  }, 60_000);

  it('recalculate applied: an entity recorded as done still carries its old calculated value (its UPDATE did not persist)', async () => {
    await expectCaught(server, RECALC, {
      check: 'recalculate-applied',
      fault: (db, t) => db.query(`UPDATE customer_attributes AS a SET calculated = b.calculated FROM ${t('entities_backup')} AS b WHERE b.customer_entity_id = a.customer_entity_id AND a.customer_entity_id = '${E1}'`),
      rows: ['every entity is waiting for, or has had, a new calculation'],
    });
  }, 60_000);

  it('recalculate applied: an entity joined the backup below the highest key the walk has done', async () => {
    await expectCaught(server, RECALC, {
      check: 'recalculate-applied',
      fault: (db, t) => addedBelowTheWalk(db, t, `'2026-01-01'`),
      rows: ['every entity is waiting for, or has had, a new calculation'],
    });
  }, 60_000);

  it('recalculated (wait): the recalculation routine has not run yet', async () => {
    await expectCaught(server, RECALC, {
      check: 'recalculated',
      fault: (db, t) => db.query(`UPDATE customer_attributes SET calculated = NULL WHERE customer_entity_id IN (SELECT customer_entity_id FROM ${t('entities_backup')})`),
      rows: ['every chosen entity has been calculated again'],
    });
  }, 60_000);
});
