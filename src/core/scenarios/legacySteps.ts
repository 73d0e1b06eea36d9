import { inputError } from '../errors.js';
import type { RunbookInputs } from '../types.js';
import { createWorkingTables, disableCps, disableCpsOnly, loadEntities, preflight } from './commonSteps.js';
import type { Scenario, StepSpec } from './scenario.js';

/**
 * The legacy wait (legacy/restitched), here and in orphan-recovery: what of CPS's work can be
 * observed (src/sandbox/simulator.ts stitchLegacy), and what cannot.
 */
export const LEGACY_WAIT_WHY =
  'The runbook is finished when CPS has processed every queued event. What shows it: the event has left cdp_ps.customer_events_to_process, and CPS has written cdp_ps.matching rows for the events whose value is an identifier. Leaving the queue alone proves nothing (a queue row deleted by hand or by another runbook looks the same), so the wait also needs matching rows. What cannot be observed: that CPS processed an event whose value is no identifier under the corrected rule (the bad value of the incident). It rightly gets no matching row and leaves no other trace in the cdp_* tables; the detail counts those, and CPS\'s own logs are the only place to confirm them. If every queued event is of that kind the wait cannot pass: confirm in the CPS logs instead.';
export const LEGACY_WAIT_EXPECT =
  'ok = true once no queued event is still queued and at least one has its matching row; detail gives the number of events that left the queue without a matching row.';

const byEntities = (inputs: RunbookInputs) => inputs.entities.count > 0;

const change = (slug: string, title: string, template: string, why: string, expect: string): StepSpec => ({
  slug, kind: 'change', title, template: `legacy/${template}`, why, expect,
});
const check = (slug: string, title: string, template: string, why: string): StepSpec => ({
  slug, kind: 'check', title, template: `legacy/${template}`, why, expect: 'ok = true on every row.',
});

/** The legacy PostgreSQL process, wiki Steps 0-6, with backups and checks between them. */
export const legacySteps: Scenario = {
  name: 'legacy-steps',
  purpose: 'Legacy cdp_* schema: un-stitch entities through matching, audit and the to-process queue (Steps 0-6)',
  dialects: ['postgres'],
  schema: 'legacy',
  options: ['entities', 'where', 'eventTime', 'deleteWhere'],
  defaultWorkSchema: 'temp_table',
  entityColumns: [],
  tables: (inputs) => [
    'entities', 'events', 'matchingBackup', 'auditQueued', 'eventsQueued',
    ...(inputs.deleteWhere !== null ? ['deletedEventsBackup'] : []),
  ],
  validate: (inputs) => {
    const filtered = inputs.where !== null || inputs.eventTimeFrom !== null || inputs.eventTimeTo !== null;
    if (byEntities(inputs) && filtered) {
      throw inputError('legacy-steps chooses entities either by --entity/--entities-file or by --where/--event-time-*, not both');
    }
    if (!byEntities(inputs) && !filtered) {
      throw inputError('legacy-steps needs the entities to clean: --entity UUID (repeatable), --entities-file PATH, or --where SQL');
    }
  },
  steps: (inputs) => [
    disableCps,
    createWorkingTables,
    preflight(true),
    byEntities(inputs)
      ? { ...loadEntities, title: 'Step 1: load the entities to clean' }
      : change('choose-entities', 'Step 1: choose the entities to clean', 'choose-entities',
          'Step 1 of the wiki: the entities whose events match the condition.',
          'INSERT succeeds; running again adds nothing.'),
    check('entities-chosen', 'The entities to clean are chosen', 'entities-chosen',
      'An empty or incomplete list would clean nothing, or the wrong customers.'),
    ...(inputs.deleteWhere !== null
      ? [
          change('backup-events-to-delete', 'Back up the events Step 0 deletes (whole rows)', 'backup-events-to-delete',
            'Deleted events can only come back from a copy of every column.', 'INSERT succeeds; a second run adds nothing.'),
          check('events-to-delete-backed-up', 'The events to delete are counted and backed up, and no entity loses all its events', 'events-to-delete-backed-up',
            'Nothing may be deleted that undo could not put back, and Step 0 deletes a subset: an entity whose every event matched --delete-where would be purged, not re-stitched. Nor may Step 0 run while CPS has matched events to these entities since the runbook began (enabled but idle, or during a pause): Step 0 itself refuses then too, for a run resumed after this check.'),
          change('delete-events', 'Step 0: delete the events of these entities that match --delete-where', 'delete-events',
            'Step 0 of the wiki, run after Step 1 so the entities could still be found by the condition.',
            'DELETE n, n being the number of events backed up.'),
          check('events-deleted', 'The events are deleted', 'events-deleted', 'Proves Step 0 did what it promises.'),
        ]
      : []),
    change('choose-events', 'Step 2: list the events of these entities', 'choose-events',
      'Step 2 of the wiki: the ids Step 5 queues for stitching.', 'INSERT succeeds; running again adds nothing.'),
    check('events-chosen', 'Every event of these entities is listed', 'events-chosen',
      'An event missing from the list would stay un-stitched after Step 3.'),
    change('backup-matching', 'Back up the matching rows Step 3 deletes (whole rows)', 'backup-matching',
      'Undo puts the matching rows back from this copy.', 'INSERT succeeds; a second run adds nothing.'),
    {
      ...check('matching-backed-up', 'The matching rows are backed up', 'matching-backed-up',
        'Nothing may be deleted that undo could not put back, and an event CPS matched to these entities since the runbook began (enabled but idle, or during a pause) would be un-matched by Step 3 without being listed for Step 5. A resumed run checks this again before it goes on.'),
      recheckOnResume: true as const,
    },
    change('unmatch', 'Step 3: delete the matching rows (un-stitch)', 'unmatch',
      'Step 3 of the wiki: removing the rows from cdp_ps.matching un-stitches the events.', 'DELETE n.'),
    {
      ...check('unmatched', 'No matching row of these entities is left, and CPS has not run since the runbook began', 'unmatched',
        'Proves Step 3 did what it promises. Step 4, next, is the point of no return, and Step 5 queues the events for CPS: were CPS enabled (idle, its sessions unseen), it would take them at once with the old rule. Any event matched since the runbook began shows it ran (cdp_ce.customer_events is read whole: it has no index on event_time). A resumed run checks this again before it goes on.'),
      recheckOnResume: true as const,
    },
    change('queue-entity-deletes', 'Step 4: queue a delete action for each entity', 'queue-entity-deletes',
      'Step 4 of the wiki: a delete row in cdp_attr.customer_entities_audit cleans everything kept for the entity.',
      'INSERT n, n being the number of entities; 0 when run again.'),
    check('entity-deletes-queued', 'Every entity has its delete action queued', 'entity-deletes-queued',
      'Proves Step 4 covered every entity.'),
    change('queue-events', 'Step 5: queue the events for stitching', 'queue-events',
      'Step 5 of the wiki: rows in cdp_ps.customer_events_to_process make CPS stitch the events again.',
      'INSERT n, n being the number of events; 0 when run again.'),
    check('events-queued', 'Every event is queued', 'events-queued', 'Proves Step 5 covered every event.'),
    {
      slug: 'enable-cps',
      kind: 'manual',
      title: 'Step 6: deploy the tested PS rule and enable CPS',
      template: 'common/enable-cps',
      params: { rule: true, auditDeletes: true },
      why: 'Step 6 of the wiki: re-stitching starts only when CPS runs again, with the corrected rule tested before step 1. The platform acts on the Step 4 delete actions outside the cdp_* tables: confirm that by hand first.',
      expect: 'CPS is enabled and consumes cdp_ps.customer_events_to_process.',
    },
    {
      slug: 'restitched',
      kind: 'wait',
      title: 'Wait until CPS has processed every queued event',
      template: 'legacy/restitched',
      params: { source: 'events' },
      why: LEGACY_WAIT_WHY,
      expect: LEGACY_WAIT_EXPECT,
      wait: { interval: 60, timeout: 24 * 3600 },
    },
  ],
  undo: (inputs) => [
    { ...disableCpsOnly, title: 'Make sure CPS is still disabled', why: 'Undo only applies while CPS has not written anything new.' },
    preflight(true),
    {
      ...check('undo-applies', 'Nothing was queued yet: undo can still put everything back', 'undo-applies',
        'Once a delete action is queued, the clean-up routine may clean the entity at any moment, and no backup holds what it cleans. Then undo no longer applies and nothing may change: the way back is forward.'),
      expect: 'ok = true on both rows; otherwise stop here, nothing has changed.',
    },
    change('restore-rows', 'Put back the deleted matching rows' + (inputs.deleteWhere !== null ? ' and events' : ''), 'undo-restore-rows',
      'Restores the whole rows from the backups; rows already back are skipped.', 'INSERT n.'),
    check('rows-restored', 'Every deleted row is back', 'undo-rows-restored', 'Compares the tables with the backups.'),
  ].map((s) => ({ ...s, params: { ...s.params, deletedEvents: inputs.deleteWhere !== null } })),
  watch: [
    'Run the steps one by one and make sure each has finished before the next (the checks do this).',
    'cdp_ps.customer_events_to_process while CPS catches up.',
  ],
  pointOfNoReturn: { slug: 'queue-entity-deletes', why: 'once a delete action is queued the clean-up routine may process it at any moment and clean everything kept for the entity, which no backup of this runbook holds.' },
  undoValidity:
    'Undo puts back the deleted matching rows (and the events Step 0 deleted) from their whole-row backups. It applies only before any delete action or event is queued (Step 4 on): its first check stops it there, with nothing changed.',
};
