/**
 * Steps several scenarios share: the preflight, loading entity ids, and the entity/event
 * reset sequence of the current schema. A scenario composes these; none copies another.
 */
import type { StepSpec } from './scenario.js';

const MINUTE = 60;
const HOUR = 3600;
/**
 * How long an entity undo put back must survive before its events are put back: the clean-up
 * routine deletes a marked entity within about a minute (source runbook, multi-entity step 3:
 * "After approx 1 minute check if entities have been deleted"), and a routine that read the
 * entity marked before undo put it back may still delete it within that minute. Twice the minute,
 * as "approx" is no bound. docs/undo-cleanup-window.md.
 */
export const CLEANUP_PERIOD = 2 * MINUTE;

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
  expect: 'Run right after disabling CPS: its stamp is the start the checks for profile stitching in the data compare with (restitch run stamps the time it recorded CPS disabled). CREATE SCHEMA and CREATE TABLE succeed (or notice that they exist).',
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
  copyFromEntities: true,
  why: 'Many entity ids go into a working table that later statements join, instead of a giant IN list. The ids are in {{ids.file}} (one a line, {{ids.count}} ids, covered by its sha256 in manifest.json), the one place this runbook holds them.',
  expect:
    'DELETE of the rows an earlier run loaded (0 the first time), then COPY {{ids.count}}{{#if d.console.copyInTransaction}}, in one transaction{{else}}: the runner runs both in one transaction, {{d.console.name}} one after the other (it refuses COPY in a transaction){{/if}}.',
};

export const entitiesLoaded: StepSpec = {
  slug: 'entities-loaded',
  kind: 'check',
  title: 'Every chosen entity is loaded and exists',
  template: 'current/entities-loaded',
  why: 'A mistyped id would silently do nothing; a missing one stops the runbook here.',
  expect: 'ok = true on every row.',
};

/**
 * Null the entities, wait for the clean-up routine, reset the events, re-enable CPS, wait. `all`:
 * every event is reset (full-reset), so the event reset's look for CPS's work since the pause
 * (cps-since-pause) takes any event stitched since.
 */
export function resetSequence(all = false): StepSpec[] {
  return [
    {
      slug: 'reset-entities',
      kind: 'batch',
      title: 'Mark the entities for deletion (modified and identifiers to NULL)',
      template: 'current/reset-entities',
      why: 'modified = NULL is the signal for the clean-up routine to delete the entity from customer_attributes and OpenSearch; identifiers = NULL cuts the link to its events. Each batch first compares its entities with their backup: one that changed since (CPS stitched it, a recalculation set modified) stops the step, naming it, and the batch changes nothing.',
      expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0. An error `restitch: step ... refused` names the entity that changed and what to do.',
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
      params: { all },
      why: 'stitched = NULL tells profile stitching to stitch the event again. Batches keep each transaction small; each batch records its ids as done in the same transaction, and first compares its events with their backup: one that CPS stitched again since stops the step, naming it, and the batch changes nothing. Past the point of no return the way is forward: the first batch of a run also stops, with nothing changed, when events were stitched since the pause (CPS enabled, perhaps idle); disable CPS and run again.',
      expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0. An error `restitch: step ... refused` names the event that changed and what to do.',
      progress: { done: 'eventsResetDone', source: 'eventsBackup', ranged: true },
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
  why: 'The runbook is finished only when every reset event is stitched again, by profile stitching, since this runbook reset it: an undo puts the old stitched back, so a stitched that is not NULL proves nothing by itself.{{#if d.staleReadClause}} It reads every reset event on each try, so it reads them a few seconds in the past ({{d.staleReadClause}}, a follower read that waits for no writer and blocks none): once true there it stays true, as nothing resets an event again.{{/if}}',
  expect: 'ok = true once every reset event is stitched since this runbook began (not to its backed-up value) and none is stitched to an identifier no entity holds.',
  wait: { interval: MINUTE, timeout: 24 * HOUR },
};

/**
 * Undo steps of the current schema. After the preflight, a check that everything undo puts back
 * still has a place to go (every backed-up entity exists; no backed-up event was stitched again);
 * then the entities in one all-or-nothing transaction, and only then the events: events put back
 * before their entity would point at no entity, and an entity the clean-up routine deletes
 * half-way through a batched restore could not be put back at all.
 */
export function currentUndo(events: boolean, cps = true): StepSpec[] {
  const steps: StepSpec[] = cps
    ? [
        { ...disableCpsOnly, title: 'Make sure CPS is still disabled', why: 'Undo only applies while CPS has not written anything new.' },
        preflight(true),
      ]
    : [];
  steps.push(
    {
      slug: 'undo-applies',
      kind: 'check',
      title: 'Everything undo puts back still has a place to go',
      template: 'current/undo-applies',
      params: { events },
      why: 'An entity the clean-up routine has deleted cannot come back, and events put back for it would belong to no entity; an event CPS has stitched again must not be overwritten. Then undo no longer applies and nothing may change: the way back is forward, re-stitching.',
      expect: 'ok = true on every row; otherwise stop here, nothing has changed.',
    },
    {
      slug: 'restore-entities',
      kind: 'change',
      title: 'Put back the entity columns that were changed, all or nothing',
      template: 'current/undo-restore-entities',
      // Compared with the state the forward run left (see refuse-changed): not in recalc-only (no
      // events), where the platform recalculating `calculated` is what the forward run asks for and
      // undo writes the old value over it by design (its undoValidity).
      params: { compare: events },
      why: 'One transaction that first locks every backed-up entity: it changes nothing unless every one of them still exists, and once restored (modified set again) the clean-up routine no longer deletes them.',
      expect: 'UPDATE n, n being the number of backed-up entities; UPDATE 0 means an entity was deleted meanwhile and the next check stops undo with nothing changed.{{#if p.compare}} An error `restitch: undo step ... refused` names an entity stitched again since, with nothing changed.{{/if}}',
    },
    events
      ? {
          slug: 'entities-restored',
          kind: 'wait',
          title: 'Every entity is back as it was, and stays so for one clean-up period',
          template: 'current/undo-entities-restored',
          params: { events },
          wait: { interval: 15, timeout: CLEANUP_PERIOD, hold: CLEANUP_PERIOD },
          why: `Compares every entity with its backup before any event is put back, again and again for ${CLEANUP_PERIOD / MINUTE} minutes: a clean-up routine that read an entity marked for deletion before undo put it back may delete it all the same within about a minute, and events put back for it would belong to no entity. An entity deleted stops undo here with no event put back; the way back is then forward (the forward runbook run on to its end re-stitches its reset events).`,
          expect: `ok = true on every row on every try for ${CLEANUP_PERIOD / MINUTE} minutes; the first try with a row not ok stops the run, naming an entity.`,
        }
      : {
          slug: 'entities-restored',
          kind: 'check',
          title: 'Every entity is back as it was',
          template: 'current/undo-entities-restored',
          params: { events },
          why: 'Compares every entity with its backup.',
          expect: 'ok = true on every row.',
        },
  );
  if (events) {
    steps.push(
      {
        slug: 'restore-events',
        kind: 'batch',
        title: 'Put back stitched and identifiers of the events',
        template: 'current/undo-restore-events',
        why: 'Restores every backed-up event exactly as it was before the runbook, now that its entity is back; only while it is as the forward run left it (or already restored): an event stitched again since stops the step, naming it, and the batch changes nothing.',
        expect: 'Each batch touches up to {{n.batchSize}} rows; repeat until 0. An error `restitch: undo step ... refused` names the event that changed.',
        progress: { done: 'eventsUndoDone', source: 'eventsBackup', ranged: true },
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
  return steps;
}
