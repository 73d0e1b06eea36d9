import { inputError } from '../errors.js';
import { createWorkingTables, currentUndo, disableCps, enableCps, preflight, restitched } from './commonSteps.js';
import type { Scenario } from './scenario.js';

/** A small entity reset in one statement, behind a guard. */
export const entityOneshot: Scenario = {
  name: 'entity-oneshot',
  purpose: 'Re-stitch one small entity in a single guarded statement',
  dialects: ['cockroachdb', 'postgres'],
  schema: 'current',
  options: ['entities', 'maxEvents'],
  defaultWorkSchema: 'external_data',
  entityColumns: ['modified'],
  tables: () => ['entitiesBackup', 'eventsBackup', 'eventsUndoDone'],
  validate: (inputs) => {
    if (inputs.entities.count !== 1) {
      throw inputError(
        `entity-oneshot takes exactly one --entity (got ${inputs.entities.count}); use multi-entity for several`,
      );
    }
  },
  steps: () => [
    disableCps,
    createWorkingTables,
    preflight(true),
    {
      slug: 'guard',
      kind: 'check',
      title: 'Guard: the entity exists, has identifiers, at least one and fewer than {{n.maxEvents}} events, none only partly its own',
      template: 'current/oneshot-guard',
      why: 'An empty identifier array is contained in every array: without this guard the one-shot statement would reset events of other customers. An entity without events would be deleted with nothing re-stitched; an event only partly its own would be left pointing at a deleted entity. A large entity belongs in multi-entity.',
      expect: 'ok = true on all four rows.',
    },
    {
      slug: 'backup',
      kind: 'change',
      title: 'Back up the entity and the events the statement will reset',
      template: 'current/oneshot-backup',
      why: 'The one-shot statement changes modified of the entity and stitched/identifiers of its events; the backup is what undo puts back.',
      expect: 'Two INSERTs succeed; running again adds nothing.',
    },
    {
      slug: 'backup-complete',
      kind: 'check',
      recheckOnResume: true,
      title: 'The entity and its events are backed up, and CPS has not run since the runbook began',
      template: 'current/oneshot-backup-complete',
      why: 'Nothing may be reset that undo could not put back. An event CPS stitched into the entity since CPS was disabled (enabled but idle, or during a pause) would un-mark it after the one-shot statement, and the clean-up routine would never delete it. A resumed run checks this again before it goes on.',
      expect: 'ok = true on every row.',
    },
    {
      slug: 'reset-entity-and-events',
      kind: 'change',
      title: 'Mark the entity for deletion and reset its events in one statement',
      template: 'current/oneshot',
      why: 'For a small entity one statement is simplest: the entity and its events change in the same transaction.',
      expect: 'UPDATE n, where n is the number of events the guard counted.',
    },
    {
      slug: 'reset-applied',
      kind: 'check',
      title: 'The entity is marked and its events are reset',
      template: 'current/oneshot-applied',
      why: 'Proves the statement did what it promises before CPS is enabled.',
      expect: 'ok = true on both rows.',
    },
    {
      slug: 'entity-deleted',
      kind: 'wait',
      title: 'Wait until the clean-up routine has deleted the entity',
      template: 'current/entities-deleted',
      why: 'Events must not be re-stitched while their old entity still exists.',
      expect: 'ok = true once the entity is gone from customer_attributes.',
      wait: { interval: 15, timeout: 1800 },
    },
    enableCps,
    restitched,
  ],
  undo: () => currentUndo(true),
  watch: ['The guard step: if it fails, do not force the statement; use multi-entity.'],
  pointOfNoReturn: { slug: 'entity-deleted', why: 'the clean-up routine has deleted the entity: it cannot be put back, and events put back for it would belong to no entity.' },
  undoValidity:
    "Undo puts back the entity's modified, then stitched and identifiers of its events, exactly as backed up. Before the point of no return it still stops, with nothing changed, as soon as the clean-up routine has deleted the entity (usually within a minute of the one-shot statement) or CPS has stitched any of its events again: its first check says so.",
};
