/**
 * The times the runner binds into a step, on lines the generator marks (src/runner/batch/slots.ts).
 * By hand each marked value is empty, which the SQL reads as its default.
 *
 * - `cps-disabled-at` (create-working-tables): the runbook's start stamp, the time the checks for
 *   profile stitching in the data compare `modified` and `stitched` with
 *   (templates/partials/common/run-start.hbs). By hand now(), run right after disabling CPS; the
 *   runner writes the time its journal recorded the step before (the manual disable of CPS) done,
 *   so that what CPS did during a pause between the two, enabled but idle and invisible to the
 *   count of its sessions, is after the stamp and seen.
 * - `paused-at` (cps-stopped, past the point of no return): when this run's pause began, the
 *   latest end of an attempt of an earlier run of this runbook version (its journal history). By
 *   hand the runbook's start. A refusal of that check is such an attempt: once CPS is disabled,
 *   the next run looks only at what happened after the refusal, and goes on.
 */
import { setSlot, slotValues } from './batch/slots.js';
import { tableExists, type Db } from './connection/session.js';
import type { HeldLease } from './lease/heldLease.js';
import type { Journal } from './journal.js';
import type { RunStep } from './types.js';

type Bindable = { body: string; journal: Journal; step: RunStep; db: Db; lease?: HeldLease };

/** `ctx.body` with its time slots bound, when it has them and the journal knows the time. */
export async function withRunTimes(ctx: Bindable): Promise<string> {
  let body = ctx.body;
  if (slotValues(body, 'cps-disabled-at').length > 0) {
    const before = ctx.step.header.number - 1;
    const row = (await ctx.journal.history()).find((r) => r.checksum === ctx.journal.checksum && r.step === before);
    if (row?.kind === 'manual' && row.status === 'done' && row.finished_at) body = setSlot(body, 'cps-disabled-at', new Date(row.finished_at).toISOString(), ctx.step.file);
  }
  if (slotValues(body, 'paused-at').length > 0 && (await tableExists(ctx.db, ctx.journal.historyTable))) {
    const r = await ctx.db.query<{ at: Date | string | null }>(
      `SELECT max(h.ended_at) AS at FROM ${ctx.journal.historyTable} AS h WHERE h.runbook_id = $1 AND h.checksum = $2 AND h.run_id IS DISTINCT FROM $3`,
      [ctx.journal.runbook, ctx.journal.checksum, ctx.lease?.runId ?? null],
    );
    const at = r.rows[0]?.at;
    if (at) body = setSlot(body, 'paused-at', new Date(at).toISOString(), ctx.step.file);
  }
  return body;
}
