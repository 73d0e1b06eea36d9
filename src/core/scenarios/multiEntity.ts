import { createWorkingTables, currentUndo, disableCps, entitiesLoaded, loadEntities, preflight, resetSequence } from './commonSteps.js';
import type { Scenario } from './scenario.js';

/** The wiki's 4-step process for one or more entities, with the batch loop as SQL. */
export const multiEntity: Scenario = {
  name: 'multi-entity',
  purpose: 'Delete chosen entities and re-stitch their events in batches (the 4-step process)',
  dialects: ['cockroachdb', 'postgres'],
  schema: 'current',
  options: ['entities', 'where', 'eventTime', 'batchSize'],
  defaultWorkSchema: 'external_data',
  entityColumns: ['modified', 'identifiers'],
  tables: () => [
    'entities', 'entitiesBackup', 'eventsBackup', 'entitiesResetDone', 'eventsResetDone',
    'eventsUndoDone',
  ],
  steps: () => [
    disableCps,
    createWorkingTables,
    preflight(true),
    loadEntities,
    entitiesLoaded,
    {
      slug: 'export-events',
      kind: 'change',
      title: 'Export the events to reset, and back up the entities and events',
      template: 'current/export-events',
      params: { resetStep: 'reset-entities' },
      why: "Wiki step 1: the event ids must be exported while the entities still hold their identifiers. The export keeps the events' stitched and identifiers, so it is also their backup.",
      expect: 'Two INSERTs succeed; running again adds nothing (ON CONFLICT DO NOTHING).',
    },
    {
      slug: 'export-complete',
      kind: 'check',
      title: 'The export and backups are complete',
      template: 'current/export-complete',
      why: 'Every event that shares an identifier with an entity to reset must be in the list before the entities lose their identifiers: an event left out would stay stitched to identifiers no entity holds.',
      expect: 'ok = true on every row; detail gives the number of events.',
    },
    ...resetSequence(),
  ],
  undo: () => currentUndo(true),
  watch: [
    'The plumbing queue in Grafana (Business Explorer) while events are reset and while CPS catches up.',
    'The export step reads every event sharing an identifier with the entities: on a huge entity it is long; it can also be done through a Meiro Integrations workspace.',
  ],
  pointOfNoReturn: { slug: 'entities-deleted', why: 'the clean-up routine has deleted the entities: they cannot be put back, and events put back for them would belong to no entity.' },
  undoValidity:
    "Undo puts back the entities' modified and identifiers (all or nothing, in one transaction), then the events' stitched and identifiers, exactly as backed up. Before the point of no return it still stops, with nothing changed, as soon as the clean-up routine has deleted any backed-up entity (which can happen any time after reset-entities, usually within a minute) or CPS has stitched any backed-up event again: its first check says so.",
};
