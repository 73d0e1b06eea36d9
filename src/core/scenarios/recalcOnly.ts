import { createWorkingTables, currentUndo, entitiesLoaded, loadEntities, preflight } from './commonSteps.js';
import type { Scenario } from './scenario.js';

/** calculated = NULL for chosen entities; no event, identifier or stitching is touched. */
export const recalcOnly: Scenario = {
  name: 'recalc-only',
  purpose: 'Recalculate the attributes of chosen entities without touching events or stitching',
  dialects: ['cockroachdb', 'postgres'],
  schema: 'current',
  options: ['entities', 'batchSize'],
  defaultWorkSchema: 'external_data',
  entityColumns: ['calculated'],
  tables: () => ['entities', 'entitiesBackup', 'entitiesResetDone'],
  steps: () => [
    createWorkingTables,
    preflight(false),
    loadEntities,
    entitiesLoaded,
    {
      slug: 'backup',
      kind: 'change',
      title: 'Back up calculated of the chosen entities',
      template: 'current/recalc-backup',
      why: 'The next step changes calculated; the backup is what undo puts back.',
      expect: 'INSERT succeeds; running again adds nothing.',
    },
    {
      slug: 'backup-complete',
      kind: 'check',
      title: 'Every chosen entity is backed up',
      template: 'current/recalc-backup-complete',
      why: 'Nothing may change that undo could not put back.',
      expect: 'ok = true.',
    },
    {
      slug: 'recalculate',
      kind: 'batch',
      title: 'Set calculated to NULL',
      template: 'current/recalc',
      why: 'calculated = NULL asks the platform to calculate every attribute of the entity again.',
      expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0.',
      progress: { done: 'entitiesResetDone', source: 'entitiesBackup' },
    },
    {
      slug: 'recalculate-applied',
      kind: 'check',
      title: 'Every chosen entity is waiting for a new calculation',
      template: 'current/recalc-applied',
      why: 'Proves the batch step covered every entity.',
      expect: 'ok = true on both rows.',
    },
    {
      slug: 'recalculated',
      kind: 'wait',
      title: 'Wait until every chosen entity is calculated again',
      template: 'current/recalculated',
      why: 'The runbook is finished when every entity has a new calculation.',
      expect: 'ok = true once no chosen entity has calculated = NULL.',
      wait: { interval: 30, timeout: 6 * 3600 },
    },
  ],
  undo: () => currentUndo(false, false),
  watch: ['The calculation queue: many entities at once delay other recalculations.'],
  pointOfNoReturn: null,
  undoValidity:
    'Undo puts the old calculated value back, all or nothing, at any point: nothing this runbook does is a point of no return, as no entity is deleted and no event is touched. Once the platform has recalculated an entity, undo writes the old timestamp over the new one; the attributes themselves stay as recalculated.',
};
