/**
 * The runbook's start stamp as the runner binds it. create-working-tables stamps its working
 * tables with when the run began, the time the checks for profile stitching in the data compare
 * `modified` and `stitched` with (templates/partials/common/run-start.hbs). By hand that is now(),
 * run right after disabling CPS. The runner writes instead the time its journal recorded the step
 * before (the manual disable of CPS) done, so that what CPS did during a pause between the two,
 * enabled but idle and invisible to the count of its sessions, is after the stamp and seen.
 */
import { setSlot, slotValues } from './batch/slots.js';
import type { Journal } from './journal.js';
import type { RunStep } from './types.js';

/** `ctx.body` with its `-- restitch:cps-disabled-at` slot bound, when it has one and the step before is a done manual step. */
export async function withCpsDisabledAt(ctx: { body: string; journal: Journal; step: RunStep }): Promise<string> {
  if (slotValues(ctx.body, 'cps-disabled-at').length === 0) return ctx.body;
  const before = ctx.step.header.number - 1;
  const row = (await ctx.journal.history()).find((r) => r.checksum === ctx.journal.checksum && r.step === before);
  if (row?.kind !== 'manual' || row.status !== 'done' || !row.finished_at) return ctx.body;
  return setSlot(ctx.body, 'cps-disabled-at', new Date(row.finished_at).toISOString(), ctx.step.file);
}
