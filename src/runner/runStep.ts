/**
 * One step of `restitch run`: the CPS guard, confirmation, the journal, and execution with
 * bounded reconnect-and-retry on transient errors. Returns a result, never throws a step error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionVisibilityQuery, type ServerTraits } from '../core/dialects/index.js';
import { checkError } from '../core/errors.js';
import { sqlIdent } from '../core/sql.js';
import { runBatch } from './batch/batchStep.js';
import { readOnly, runChange, runCheck, runWait, type Outcome, type StepContext } from './executors.js';
import type { Db } from './connection/session.js';
import { LeaseLostError } from './lease/lease.js';
import { confirmStep } from './prompt/confirmStep.js';
import { describeError } from './connection/sqlError.js';
import { stepSettings } from './timeouts.js';
import { backoff, isTransient, withReconnect } from './connection/transient.js';
import type { RunDeps, RunStep, StepResult } from './types.js';

/** What stopped the run, as the abort reason says ('Ctrl-C', 'SIGTERM'); 'Ctrl-C' when it does not say. */
export function stoppedBy(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'Ctrl-C';
}

/** The result of a step that did not run. */
export function notExecuted(step: RunStep): StepResult {
  return { step: step.header.number, file: step.file, title: step.header.title, kind: step.header.kind, status: 'not-executed', rows: null, ms: null };
}

/**
 * Refuses (exit 1) while a 'Meiro CPS' session is connected, and first, where the dialect needs
 * it, unless this session can see other users' sessions at all (else "none connected" proves nothing).
 */
export async function assertNoCps(db: Db, traits: ServerTraits, when: string): Promise<void> {
  const vis = traits.sessionVisibility;
  if (vis) {
    const row = (await readOnly(db, () => db.query<{ visible: unknown; who: unknown }>(sessionVisibilityQuery(vis)))).rows[0];
    if (row?.visible !== true) {
      const who = String(row?.who ?? '<user>');
      throw checkError(
        `user ${who} sees only its own sessions, so the check for a 'Meiro CPS' session (another user's) proves nothing ${when}; nothing was changed. Ask for: ${vis.grant.replaceAll('<user>', sqlIdent(who))}`,
      );
    }
  }
  const n = Number((await readOnly(db, () => db.query<{ n: number }>(traits.cpsSessionsQuery))).rows[0]?.n ?? 0);
  if (n > 0) {
    throw checkError(`${n} 'Meiro CPS' session(s) connected ${when}; nothing may change while profile stitching runs. Disable the CPS component and wait for its runs to end, then run again`);
  }
}

/** Runs one step: guard, confirmation, journal, execution with bounded retries on transient errors. */
export async function runStep(ctx: StepContext, guarded: boolean, deps: RunDeps): Promise<StepResult> {
  const { step, db, journal, opts } = ctx;
  const base = notExecuted(step);
  // Set once the step is confirmed: its time excludes the time spent at its prompt.
  let started = Date.now();
  const finish = async (status: StepResult['status'], rows: number | null, message?: string, details?: Record<string, unknown>[]): Promise<StepResult> => {
    const text = message === undefined ? null : deps.redact(message);
    await recordSafely(ctx, deps, () => journal.finish(step, status, rows, text));
    return { ...base, status, rows, ms: Date.now() - started, ...(text === null ? {} : { message: text }), ...(details ? { details } : {}) };
  };
  const confirmation = await confirmStep(ctx);
  if (deps.signal.aborted) return { ...base, status: 'interrupted', message: `stopped by ${stoppedBy(deps.signal)} before the step began` };
  if ('stop' in confirmation) return { ...base, status: 'stopped', message: confirmation.stop };
  started = Date.now();
  // Retries are counted per batch: a batch that commits gives the next one the whole budget
  // again (and the first backoff), so a step of thousands of batches survives a fault per batch.
  // A change step is one transaction: its budget is the step's.
  let attempt = 0;
  let committed = 0;
  let journalled = false;
  const counted: StepContext = { ...ctx, onBatch: () => (committed += 1) };
  for (;;) {
    try {
      await db.settings(stepSettings(step.header.kind, opts));
      if (guarded) await assertNoCps(db, ctx.dialect.server, `before step ${step.header.number}`);
      // Once per invocation: a retry continues the same attempt, counts and all.
      if (!journalled) {
        await journal.start(step, confirmation.by);
        journalled = true;
      }
      const outcome = await execute(counted);
      const result = await finish(outcome.status, outcome.rows, outcome.message, outcome.details);
      return outcome.answer ? { ...result, answer: outcome.answer } : result;
    } catch (error) {
      // A run that lost its lease writes nothing more, not even the step's end: the run that took
      // it over owns the journal now.
      const lost = ctx.leaseLost?.() ?? (error instanceof LeaseLostError ? error : null);
      if (lost) throw lost;
      if (deps.signal.aborted) return await finish('interrupted', null, `stopped by ${stoppedBy(deps.signal)}; its open transaction was rolled back`);
      if (committed > 0) attempt = 0;
      committed = 0;
      if (!isTransient(error) || attempt >= opts.retries) {
        const why = describeError(error, ctx);
        return await finish('failed', null, attempt > 0 ? `${why} (after ${attempt} retries)` : why);
      }
      attempt += 1;
      const wait = backoff(attempt, opts.backoffMs);
      deps.ui.say(`step ${step.header.number}: ${deps.redact(describeError(error, ctx))}; reconnecting in ${wait} ms (retry ${attempt} of ${opts.retries})`);
      try {
        await sleep(wait, undefined, { signal: deps.signal });
        await db.reconnect();
      } catch {
        // A failed reconnect counts as the next attempt's error, on the next round.
      }
    }
  }
}

/** A change or check runs as one statement that may take long: its elapsed time is shown while it runs. */
async function execute(ctx: StepContext): Promise<Outcome> {
  const { header } = ctx.step;
  if (header.kind !== 'change' && header.kind !== 'check') return executeKind(ctx);
  const activity = ctx.ui.activity(`step ${header.number}: ${header.kind === 'change' ? 'changing' : 'checking'}`, 'running');
  try {
    return await executeKind(ctx);
  } finally {
    activity.stop();
  }
}

async function executeKind(ctx: StepContext): Promise<Outcome> {
  switch (ctx.step.header.kind) {
    case 'check':
      return runCheck(ctx);
    case 'wait':
      return runWait(ctx);
    case 'change':
      return runChange(ctx);
    case 'batch':
      return runBatch(ctx);
    case 'manual':
      return { status: 'done', rows: 0 };
  }
}

/**
 * A journal write that must not be lost to a connection that just dropped: it waits for the
 * database to come back (a restart). When it does not, the journal keeps the step as running,
 * which the next run resumes as interrupted, and the run goes on to say how to resume: a lost
 * connection is never a reason to end without the step's report (a lost lease is no dropped
 * connection: it stops the run).
 */
async function recordSafely(ctx: StepContext, deps: RunDeps, write: () => Promise<void>, again = true): Promise<void> {
  try {
    await withReconnect(ctx.db, write, 5, ctx.opts.backoffMs);
  } catch (error) {
    // A signal's cancel (pg_cancel_backend from a second connection) may arrive after the statement
    // it meant has ended, as with --parallel, whose batches run on other sessions, and cancel this
    // write instead (57014): write it once more.
    if (again && deps.signal.aborted && (error as { code?: unknown }).code === '57014') return recordSafely(ctx, deps, write, false);
    if (error instanceof LeaseLostError || !isTransient(error)) throw error;
    deps.ui.say(`step ${ctx.step.header.number}: its end could not be recorded in the journal (${deps.redact(describeError(error, ctx))}); the journal shows it as running, which the next run resumes as interrupted`);
  }
}
