/**
 * Each check row of every undo runbook meets the realistic fault it guards against and stops the
 * undo there (docs/checks.md lists them). The forward run stops before its point of no return
 * (after it the runner refuses the undo outright); the CockroachDB example runs its own check on
 * the same data (test/helpers/checkCatch.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { E1, E2, ev, L1, L3 } from '../../src/sandbox/seed.js';
import { expectCaught, type Fault } from '../helpers/checkCatch.js';
import { lastEventBatchLost } from '../helpers/checkFaults.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

/** The clean-up routine never gets to the marked entities during these runs (it is late). */
const LATE = 600_000;
/**
 * Each current-schema scenario with undo, its last forward step before the point of no return,
 * and whether the events are reset by then.
 */
const CURRENT: [string, string, boolean][] = [
  ['multi-entity-postgres', 'entities-reset', false],
  ['full-reset-postgres', 'entities-reset', false],
  ['entity-oneshot-postgres', 'reset-applied', true],
];
const LEGACY = ['legacy-steps-postgres', 'legacy-steps-delete-events-postgres'];

/** The clean-up routine deleted an entity (it reads first and deletes later: after undo's first check). */
const entityDeleted: Fault['fault'] = (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E1}'`);
/** CPS, running during the pause, stitched a backed-up event again (a new stitched time). */
const restitched: Fault['fault'] = (db) => db.query(`UPDATE customer_events SET stitched = now(), identifiers = '{None}' WHERE id = '${ev(1)}'`);

describe('current-schema undo: every check row stops the undo on the fault it guards against', () => {
  it('undo applies: the clean-up routine deleted an entity; CPS stitched a backed-up event again', async () => {
    for (const [name, forwardTo] of CURRENT) {
      await expectCaught(server, [name], { check: 'undo-applies', undo: true, forwardTo, cleanupDelayMs: LATE, fault: entityDeleted, rows: ['every backed-up entity still exists'] });
      await expectCaught(server, [name], {
        check: 'undo-applies',
        undo: true,
        forwardTo,
        cleanupDelayMs: LATE,
        fault: restitched,
        rows: ['no backed-up event has been stitched again since the backup'],
      });
    }
  }, 60_000);

  it('entities restored: the clean-up routine deleted an entity after the first check; a concurrent writer set modified after the restore', async () => {
    for (const [name, forwardTo] of CURRENT) {
      await expectCaught(server, [name], {
        check: 'entities-restored',
        undo: true,
        forwardTo,
        faultAfter: 'undo-applies',
        cleanupDelayMs: LATE,
        fault: entityDeleted,
        rows: ['every backed-up entity still exists'],
      });
      await expectCaught(server, [name], {
        check: 'entities-restored',
        undo: true,
        forwardTo,
        cleanupDelayMs: LATE,
        fault: (db) => db.query(`UPDATE customer_attributes SET modified = now() WHERE customer_entity_id = '${E1}'`),
        rows: ['every backed-up entity has its old values'],
      });
    }
  }, 60_000);

  it('entities restored (holding wait): the clean-up routine, reading first and deleting later, deleted a restored entity within the clean-up period', async () => {
    for (const [name, forwardTo] of CURRENT) {
      await expectCaught(server, [name], {
        check: 'entities-restored',
        undo: true,
        forwardTo,
        faultAfter: 'restore-entities',
        cleanupDelayMs: LATE,
        // It read the entity marked before undo put it back, and deletes it without reading modified again.
        fault: (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E1}'`),
        rows: ['every backed-up entity still exists'],
      });
    }
  }, 60_000);

  it('events restored: the last batch of the restore never ran; CPS stitched a restored event again', async () => {
    for (const [name, forwardTo, eventsReset] of CURRENT) {
      await expectCaught(server, [name], {
        check: 'events-restored',
        undo: true,
        forwardTo,
        cleanupDelayMs: LATE,
        fault: lastEventBatchLost('undo', eventsReset),
        rows: ['every backed-up event went through the restore'],
      });
      await expectCaught(server, [name], {
        check: 'events-restored',
        undo: true,
        forwardTo,
        cleanupDelayMs: LATE,
        fault: restitched,
        rows: ['every backed-up event has its old stitched and identifiers'],
      });
    }
  }, 60_000);
});

describe('recalc-only undo: every check row stops the undo on the fault it guards against', () => {
  it('undo applies and entities restored: an entity merged away by CPS; a recalculation after the restore', async () => {
    const base = { undo: true, forwardTo: 'recalculate-applied' };
    await expectCaught(server, ['recalc-only-postgres'], { ...base, check: 'undo-applies', fault: (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E2}'`), rows: ['every backed-up entity still exists'] });
    await expectCaught(server, ['recalc-only-postgres'], {
      ...base,
      check: 'entities-restored',
      faultAfter: 'undo-applies',
      fault: (db) => db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = '${E2}'`),
      rows: ['every backed-up entity still exists'],
    });
    await expectCaught(server, ['recalc-only-postgres'], {
      ...base,
      check: 'entities-restored',
      fault: (db) => db.query(`UPDATE customer_attributes SET calculated = now() WHERE customer_entity_id = '${E1}'`),
      rows: ['every backed-up entity has its old values'],
    });
  }, 60_000);
});

describe('legacy-steps undo: every check row stops the undo on the fault it guards against', () => {
  it('undo applies: Step 4 or Step 5 was run by hand in psql (the journal does not know) before the undo', async () => {
    const base = { undo: true, forwardTo: 'unmatched', check: 'undo-applies' };
    await expectCaught(server, LEGACY, { ...base, fault: (db, _t, sql) => db.query(sql('queue-entity-deletes')), rows: ['no delete action was queued for these entities (Step 4)'] });
    await expectCaught(server, LEGACY, { ...base, fault: (db, _t, sql) => db.query(sql('queue-events')), rows: ['no event was queued for stitching (Step 5)'] });
  }, 60_000);

  it('rows restored: a stitcher merge moved a restored matching row to another entity; a clean-up deleted a restored event', async () => {
    const base = { undo: true, forwardTo: 'unmatched', check: 'rows-restored' };
    await expectCaught(server, LEGACY, {
      ...base,
      fault: (db) => db.query(`UPDATE cdp_ps.matching SET customer_entity_id = '${L3}' WHERE customer_entity_id = '${L1}'`),
      rows: ['every backed-up matching row is back'],
    });
    await expectCaught(server, ['legacy-steps-delete-events-postgres'], { ...base, fault: (db) => db.query(`DELETE FROM cdp_ce.customer_events WHERE id = '${ev(1)}'`), rows: ['every deleted event is back'] });
  }, 60_000);
});

describe('orphan-recovery undo: every check row stops the undo on the fault it guards against', () => {
  it('undo applies: CPS took the queued event; CPS stitched it before taking its queue row', async () => {
    const base = { undo: true, forwardTo: 'orphans-queued', check: 'undo-applies' };
    await expectCaught(server, ['orphan-recovery-postgres'], { ...base, fault: (db) => db.query('DELETE FROM cdp_ps.customer_events_to_process'), rows: ['every event this runbook queued is still waiting in the queue'] });
    await expectCaught(server, ['orphan-recovery-postgres'], {
      ...base,
      fault: (db) => db.query(`INSERT INTO cdp_ps.matching VALUES ('${ev(7)}', '${L3}')`),
      rows: ['no event this runbook queued has been stitched'],
    });
  }, 60_000);

  it('unqueued: the unqueue ran in a transaction that was rolled back (its rows are back in the queue)', async () => {
    await expectCaught(server, ['orphan-recovery-postgres'], {
      undo: true,
      forwardTo: 'orphans-queued',
      check: 'unqueued',
      fault: (db, t) => db.query(`INSERT INTO cdp_ps.customer_events_to_process SELECT id, queued_at FROM ${t('orphans_queued')}`),
      rows: ['no row this runbook queued is still waiting'],
    });
  }, 60_000);
});
