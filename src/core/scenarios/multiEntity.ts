import { getDialect } from '../dialects/index.js';
import { createWorkingTables, currentUndo, disableCps, entitiesLoaded, loadEntities, preflight, resetSequence } from './commonSteps.js';
import type { Dialect } from '../dialects/index.js';
import type { Scenario, StepSpec } from './scenario.js';

const EXPORT_WHY = "Wiki step 1: the event ids must be exported while the entities still hold their identifiers. The export keeps the events' stitched and identifiers, so it is also their backup.";

/** The export of the events: one statement through the GIN index, or a keyset walk (Dialect.exportsThroughIdentifierIndex). */
function exportEvents(dialect: Dialect): StepSpec {
  if (dialect.exportsThroughIdentifierIndex) {
    return {
      slug: 'export-events',
      kind: 'change',
      title: 'Export the events to reset (their ids, stitched and identifiers)',
      template: 'current/export-events-indexed',
      why: `${EXPORT_WHY} One statement reads, through the GIN index on identifiers, only the events that share an identifier with an entity to reset; all or nothing, and running it again adds only what is missing.`,
      expect: 'INSERT n (the events to reset; 0 when run again), then CREATE INDEX twice, in one transaction.',
    };
  }
  return {
    slug: 'export-events',
    kind: 'batch',
    title: 'Export the events to reset (their ids, stitched and identifiers), in batches',
    template: 'current/export-events',
    why: `${EXPORT_WHY} It reads, through the inverted index on identifiers, the events of one identifier of the entities after another, in batches by id, each its own short transaction, and resumes where it stopped: its work follows the entities chosen, not the size of customer_events.`,
    expect: 'Each batch reads up to {{n.batchSize}} events of one identifier and records one row; the runner stops when every identifier is walked.',
    progress: { done: 'eventsExportDone', source: 'entitiesBackup', perBatch: true, identifiers: 'entitiesBackup' },
  };
}

/** The wiki's 4-step process for one or more entities, with the batch loop as SQL. */
export const multiEntity: Scenario = {
  name: 'multi-entity',
  purpose: 'Delete chosen entities and re-stitch their events in batches (the 4-step process)',
  dialects: ['cockroachdb', 'postgres'],
  schema: 'current',
  options: ['entities', 'where', 'eventTime', 'batchSize'],
  defaultWorkSchema: 'external_data',
  entityColumns: ['modified', 'identifiers'],
  tables: (inputs) => [
    'entities', 'entitiesBackup', 'eventsBackup', ...(getDialect(inputs.dialect).exportsThroughIdentifierIndex ? [] : ['eventsExportDone']),
    'entitiesResetDone', 'eventsResetDone', 'eventsUndoDone',
  ],
  keysAfterLoad: (dialect) => (dialect.exportsThroughIdentifierIndex ? ['eventsBackup'] : []),
  steps: (inputs) => [
    disableCps,
    createWorkingTables,
    preflight(true),
    loadEntities,
    entitiesLoaded,
    {
      slug: 'backup-entities',
      kind: 'change',
      title: 'Back up the entities to reset',
      template: 'current/export-entities',
      params: { resetStep: 'reset-entities' },
      why: 'Step {{p.resetStep}} changes these columns; the backup is what undo puts back, and its identifiers choose the events to export next.',
      expect: 'One INSERT succeeds; running again adds nothing (ON CONFLICT DO NOTHING).',
    },
    {
      slug: 'entities-backed-up',
      kind: 'check',
      title: 'Every entity to reset is backed up',
      template: 'current/entities-exported',
      why: 'The export of the events reads the identifiers from this backup, and undo puts it back: an entity missing here would keep its events out of the export.',
      expect: 'ok = true on every row; detail gives how many entities the backup holds and about how much disk it takes.',
    },
    exportEvents(getDialect(inputs.dialect)),
    {
      slug: 'export-complete',
      kind: 'check',
      title: 'The export and backups are complete',
      template: 'current/export-complete',
      recheckOnResume: true,
      why: 'Every event that shares an identifier with an entity to reset must be in the list before the entities lose their identifiers: an event left out would stay stitched to identifiers no entity holds. An entity that changed since its backup, an event of an identifier the entities hold now that the export lacks, and an entity to reset modified or an event stitched since the runbook began (profile stitching ran, idle or paused, where the session count saw none) stop it too; the detail names one. A resumed run checks this again before it goes on.',
      expect: 'ok = true on every row; detail gives the number of events and about how much disk their backup takes.',
    },
    ...resetSequence(),
  ],
  undo: () => currentUndo(true),
  watch: [
    'The plumbing queue in Grafana (Business Explorer) while events are reset and while CPS catches up.',
    'On CockroachDB the export reads the events of the entities to reset through the inverted index on identifiers, one identifier after another, in batches (progress and ETA from the runner, in batches); its time follows the number of those events, not the size of customer_events. On PostgreSQL it is one statement through the GIN index on identifiers.',
  ],
  pointOfNoReturn: { slug: 'entities-deleted', why: 'the clean-up routine has deleted the entities: they cannot be put back, and events put back for them would belong to no entity.' },
  undoValidity:
    "Undo puts back the entities' modified and identifiers (all or nothing, in one transaction), then the events' stitched and identifiers, exactly as backed up. Before the point of no return it still stops, with nothing changed, as soon as the clean-up routine has deleted any backed-up entity (which can happen any time after reset-entities, usually within a minute) or CPS has stitched any backed-up event again: its first check says so.",
};
