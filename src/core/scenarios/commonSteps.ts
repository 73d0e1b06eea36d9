/**
 * Steps several scenarios share: the preflight, loading entity ids, and the entity/event
 * reset sequence of the current schema. A scenario composes these; none copies another.
 */
import type { StepSpec } from './scenario.js';

const MINUTE = 60;
const HOUR = 3600;

export const disableCps: StepSpec = {
  slug: 'disable-cps',
  kind: 'manual',
  title: 'Test the corrected PS rule, then disable the Meiro CPS component',
  template: 'common/disable-cps',
  params: { rule: true },
  why: 'Profile stitching must not run while its data is reset, or it would stitch half-reset events into the old entities. The corrected rule is tested first, so CPS is off only for the time the runbook needs.',
  expect: 'The corrected rule is tested; the CPS component is disabled in Meiro Integrations and none of its runs is under way.',
};

/** The disable step of a runbook that changes no PS rule (undo, orphan recovery). */
export const disableCpsOnly: StepSpec = {
  ...disableCps,
  title: 'Disable the Meiro CPS component',
  params: { rule: false },
  why: 'Profile stitching must not run while its data is changed.',
  expect: 'The CPS component is disabled in Meiro Integrations and none of its runs is under way.',
};

export const createWorkingTables: StepSpec = {
  slug: 'create-working-tables',
  kind: 'change',
  title: 'Create the working schema and tables',
  template: 'common/create-working-tables',
  why: 'Working lists, backups and progress tables live in their own schema, apart from platform data. Every statement is IF NOT EXISTS, so it is safe to repeat.',
  expect: 'CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).',
};

/** The preflight check; `cps` adds the "no Meiro CPS session" row. */
export function preflight(cps: boolean): StepSpec {
  return {
    slug: 'preflight',
    kind: 'check',
    title: cps ? 'Preflight: CPS is stopped and every table is in place' : 'Preflight: every table is in place',
    template: 'common/preflight',
    params: { cps },
    why: cps
      ? "Nothing may change while a 'Meiro CPS' session is connected, and a wrong database or an unexpected column type must stop the runbook before it writes."
      : 'A wrong database or an unexpected column type must stop the runbook before it writes.',
    expect: 'Every row has ok = true.',
  };
}

export const loadEntities: StepSpec = {
  slug: 'load-entities',
  kind: 'change',
  title: 'Load the chosen entity ids into the working table',
  template: 'common/load-entities',
  why: 'Many entity ids go into a working table that later statements join, instead of a giant IN list.',
  expect: 'INSERT statements succeed; ids already there are skipped (ON CONFLICT DO NOTHING).',
};

export const entitiesLoaded: StepSpec = {
  slug: 'entities-loaded',
  kind: 'check',
  title: 'Every chosen entity is loaded and exists',
  template: 'current/entities-loaded',
  why: 'A mistyped id would silently do nothing; a missing one stops the runbook here.',
  expect: 'ok = true on both rows.',
};

/** Null the entities, wait for the clean-up routine, reset the events, re-enable CPS, wait. */
export function resetSequence(): StepSpec[] {
  return [
    {
      slug: 'reset-entities',
      kind: 'batch',
      title: 'Mark the entities for deletion (modified and identifiers to NULL)',
      template: 'current/reset-entities',
      why: 'modified = NULL is the signal for the clean-up routine to delete the entity from customer_attributes and OpenSearch; identifiers = NULL cuts the link to its events.',
      expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0.',
      progress: { done: 'entitiesResetDone', source: 'entitiesBackup' },
    },
    {
      slug: 'entities-reset',
      kind: 'check',
      title: 'Every backed-up entity is marked for deletion',
      template: 'current/entities-reset',
      why: 'Proves the batch step covered every entity before anything else changes.',
      expect: 'ok = true on both rows.',
    },
    {
      slug: 'entities-deleted',
      kind: 'wait',
      title: 'Wait until the clean-up routine has deleted the entities',
      template: 'current/entities-deleted',
      why: 'Events must not be re-stitched while their old entity still exists. The routine usually needs about a minute.',
      expect: 'ok = true once no reset entity is left in customer_attributes.',
      wait: { interval: 15, timeout: 30 * MINUTE },
    },
    {
      slug: 'reset-events',
      kind: 'batch',
      title: 'Reset the events (stitched and identifiers to NULL)',
      template: 'current/reset-events',
      why: 'stitched = NULL tells profile stitching to stitch the event again. Batches keep each transaction small; each batch records its ids as done in the same transaction.',
      expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0.',
      progress: { done: 'eventsResetDone', source: 'eventsBackup' },
    },
    {
      slug: 'events-reset',
      kind: 'check',
      title: 'Every backed-up event is reset',
      template: 'current/events-reset',
      why: 'Proves the batch step covered every event before CPS is enabled.',
      expect: 'ok = true on both rows.',
    },
    enableCps,
    restitched,
  ];
}

export const enableCps: StepSpec = {
  slug: 'enable-cps',
  kind: 'manual',
  title: 'Deploy the tested PS rule and enable CPS',
  template: 'common/enable-cps',
  params: { rule: true },
  why: 'Re-stitching starts only when CPS runs again, with the corrected rule tested before step 1.',
  expect: 'CPS is enabled; the plumbing queue grows, then drains.',
};

export const restitched: StepSpec = {
  slug: 'restitched',
  kind: 'wait',
  title: 'Wait until profile stitching has processed every reset event',
  template: 'current/restitched',
  why: 'The runbook is finished only when every reset event is stitched again.',
  expect: 'ok = true once no reset event has stitched = NULL.',
  wait: { interval: MINUTE, timeout: 24 * HOUR },
};

/** Undo steps of the current schema: restore events, then entities, each verified. */
export function currentUndo(events: boolean): StepSpec[] {
  const steps: StepSpec[] = [
    { ...disableCpsOnly, title: 'Make sure CPS is still disabled', why: 'Undo only applies while CPS has not written anything new.' },
    preflight(true),
  ];
  if (events) {
    steps.push(
      {
        slug: 'restore-events',
        kind: 'batch',
        title: 'Put back stitched and identifiers of the events',
        template: 'current/undo-restore-events',
        why: 'Restores every backed-up event exactly as it was before the runbook.',
        expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0.',
        progress: { done: 'eventsUndoDone', source: 'eventsBackup' },
      },
      {
        slug: 'events-restored',
        kind: 'check',
        title: 'Every event is back as it was',
        template: 'current/undo-events-restored',
        why: 'Compares every event with its backup.',
        expect: 'ok = true on both rows.',
      },
    );
  }
  steps.push(
    {
      slug: 'restore-entities',
      kind: 'batch',
      title: 'Put back the entity columns that were changed',
      template: 'current/undo-restore-entities',
      why: 'Restores the backed-up columns of every entity that still exists.',
      expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0.',
      progress: { done: 'entitiesUndoDone', source: 'entitiesBackup' },
    },
    {
      slug: 'entities-restored',
      kind: 'check',
      title: 'Every entity is back as it was',
      template: 'current/undo-entities-restored',
      why: 'An entity the clean-up routine already deleted cannot be put back; this check says so instead of passing silently.',
      expect: 'ok = true on every row.',
    },
  );
  return steps;
}
