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
    'entitiesUndoDone', 'eventsUndoDone',
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
  undoValidity:
    'Undo puts events back at any time before CPS is enabled again (the enable-cps step). Entities can be put back only until the clean-up routine deletes them, about a minute after reset-entities; after that, the way back is re-stitching.',
};
