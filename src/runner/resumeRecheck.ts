/**
 * Re-verify on resume: a run that goes on at step k after a pause re-runs, read-only, the checks
 * before k whose facts can go stale while nothing runs (`restitch:recheck-on-resume`: CPS stitched
 * again, an entity changed since its backup), and refuses to resume when one no longer passes.
 * Only up to the point of no return: past it the way is forward, and those checks would judge the
 * re-stitching itself.
 */
import { checkError } from '../core/errors.js';
import type { RunStep } from './types.js';
import { checkVerdict, readOnly } from './executors.js';
import type { Db } from './connection/session.js';

/** The checks to run again before resuming at `first`: none when the run starts at step 1 or past the point of no return. */
export function stepsToRecheck(steps: readonly RunStep[], first: RunStep | undefined): RunStep[] {
  if (!first || first.header.number === 1) return [];
  const noReturn = steps.find((s) => s.header.pointOfNoReturn)?.header.number ?? Infinity;
  if (first.header.number > noReturn) return [];
  return steps.filter((s) => s.header.recheckOnResume && s.header.number < first.header.number);
}

/** Runs each of `checks` read-only; refuses (exit 1, nothing changed) naming the first that fails and its rows. */
export async function recheckBeforeResume(db: Db, checks: readonly RunStep[], body: (s: RunStep) => string, first: RunStep, redact: (t: string) => string): Promise<void> {
  for (const step of checks) {
    const rows = await readOnly(db, async () => (await db.query<Record<string, unknown>>(body(step))).rows);
    const verdict = checkVerdict(rows);
    if (verdict.ok) continue;
    const details = rows.filter((r) => r.ok !== true).map((r) => String(r.detail ?? r.check_name ?? '')).join('; ');
    throw checkError(
      redact(
        `resume refused before step ${first.header.number}: step ${step.header.number} (${step.header.title}) no longer passes: ${details}. ` +
          'Its facts went stale while the run was paused; nothing was changed. Stop CPS if it runs, then generate the runbook again with a new --incident (undo this one first while it still applies)',
      ),
    );
  }
}
