import { createWorkingTables, currentUndo, disableCps, preflight, resetSequence } from './commonSteps.js';
import type { Scenario } from './scenario.js';

/** Every entity and event re-stitched from scratch (the wiki's two UPDATEs, made safe). */
export const fullReset: Scenario = {
  name: 'full-reset',
  purpose: 'Delete every entity and re-stitch every event from scratch',
  dialects: ['cockroachdb', 'postgres'],
  schema: 'current',
  options: ['batchSize'],
  defaultWorkSchema: 'external_data',
  entityColumns: ['modified', 'identifiers'],
  tables: () => [
    'entitiesBackup', 'eventsBackup', 'entitiesBackupDone', 'eventsBackupDone',
    'entitiesResetDone', 'eventsResetDone', 'eventsUndoDone',
  ],
  steps: () => [
    disableCps,
    createWorkingTables,
    preflight(true),
    {
      slug: 'scope',
      kind: 'check',
      title: 'How many entities and events this resets',
      template: 'current/scope-all',
      why: 'A reviewer and the person running it should see the size of the reset before anything changes.',
      expect: 'ok = true; detail gives the number of entities and events, and about how much disk each backup takes.',
    },
    {
      slug: 'backup-entities',
      kind: 'batch',
      title: 'Back up modified and identifiers of every entity',
      template: 'current/backup-all-entities',
      why: 'The reset changes these columns of every entity; the backup is what undo puts back.',
      expect: 'Each batch copies up to {{n.batchSize}} rows; repeat until 0.',
      progress: { done: 'entitiesBackupDone', source: 'customer_attributes', filter: 'src.modified IS NOT NULL OR src.identifiers IS NOT NULL' },
    },
    {
      slug: 'entities-backed-up',
      kind: 'check',
      title: 'Every stitched entity is backed up',
      template: 'current/entities-backed-up',
      why: 'Nothing may be reset that undo could not put back.',
      expect: 'ok = true.',
    },
    {
      slug: 'backup-events',
      kind: 'batch',
      title: 'Back up stitched and identifiers of every stitched event',
      template: 'current/backup-all-events',
      why: 'The reset changes these columns of every event; the backup is also the list of events to reset.',
      expect: 'Each batch copies up to {{n.batchSize}} rows; repeat until 0.',
      progress: { done: 'eventsBackupDone', source: 'customer_events', filter: 'src.stitched IS NOT NULL OR src.identifiers IS NOT NULL' },
    },
    {
      slug: 'events-backed-up',
      kind: 'check',
      title: 'Every stitched event is backed up',
      template: 'current/events-backed-up',
      why: 'Nothing may be reset that undo could not put back.',
      expect: 'ok = true.',
    },
    ...resetSequence(),
  ],
  undo: () => currentUndo(true),
  watch: [
    'The plumbing queue in Grafana (Business Explorer) while events are reset and while CPS catches up.',
    'Re-stitching everything can take days on a large volume: prefer multi-entity when only some entities are wrong.',
  ],
  // Every entity and every event is reset, so reading the whole of both tables is the work itself:
  // the acceptance run labels these plans instead of refusing them (restitch run --max-scan-rows).
  fullScans: {
    scope: 'it counts every entity and every event the reset changes',
    'backup-entities': 'it backs up every entity (its progress counts them all)',
    'entities-backed-up': 'it compares every entity with its backup',
    'backup-events': 'it backs up every stitched event (its progress counts them all)',
    'events-backed-up': 'it compares every event with its backup',
    'reset-entities': 'it resets every entity',
    'entities-reset': 'it checks every backed-up entity',
    'entities-deleted': 'it waits for every entity to be deleted',
    'reset-events': 'it resets every stitched event',
    'events-reset': 'it checks every backed-up event',
    restitched: 'it waits for every event to be stitched again',
    'undo-applies': 'it compares every backed-up entity and event with the tables',
    'restore-entities': 'it puts back every entity',
    'entities-restored': 'it checks every entity put back',
    'restore-events': 'it puts back every event',
    'events-restored': 'it checks every event put back',
  },
  pointOfNoReturn: { slug: 'entities-deleted', why: 'the clean-up routine has deleted the entities: they cannot be put back, and events put back for them would belong to no entity.' },
  undoValidity:
    "Undo puts back the entities' modified and identifiers (all or nothing, in one transaction), then the events' stitched and identifiers, exactly as backed up. Before the point of no return it still stops, with nothing changed, as soon as the clean-up routine has deleted any backed-up entity (which can happen any time after reset-entities, usually within a minute) or CPS has stitched any backed-up event again: its first check says so.",
};
