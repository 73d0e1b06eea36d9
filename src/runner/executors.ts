/**
 * How each kind of step is executed. An executor returns an outcome or throws the database
 * error; retries, the journal and interruption are the runner's business.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dialect } from '../core/dialects/index.js';
import { checkError } from '../core/errors.js';
import { splitCopy } from './copyLoad.js';
import { withRunTimes } from './runTimes.js';
import type { HeldLease } from './lease/heldLease.js';
import type { Journal } from './journal.js';
import type { RunRecord } from './record/runRecord.js';
import type { ThrottleGate } from './throttle/gate.js';
import { splitSchemaChanges } from './schemaChanges.js';
import type { Db } from './connection/session.js';
import type { Activity, RunnerUi, RunOptions, RunStep } from './types.js';

/** Everything one step needs. `body` is the SQL to run (with any --batch-size applied). */
export interface StepContext {
  db: Db;
  ui: RunnerUi;
  journal: Journal;
  dialect: Dialect;
  step: RunStep;
  body: string;
  /** The step's file as given (runbook directory and file), for messages that point at it. */
  path: string;
  opts: RunOptions;
  signal: AbortSignal;
  /** The runbook's files by path (a step with restitch:copy-from reads its rows from one). */
  files?: ReadonlyMap<string, string>;
  /** Called after each batch commits (the runner gives each batch its own retries). */
  onBatch?: () => void;
  /** Opens another session to the same server (workers of `--parallel`). */
  connect?: () => Promise<Db>;
  /** The lease this run holds, for batches that lock it in their own one-query transaction. */
  lease?: HeldLease;
  /** The last statement of every change and batch transaction: confirms (and locks) the lease, or throws. */
  beforeCommit?: () => Promise<void>;
  /** The error that stops the run once its lease was taken over, else null. */
  leaseLost?: () => Error | null;
  /** Throttle, pause and stop files: asked before every batch (throttle/gate.ts). */
  throttle?: ThrottleGate;
  /** The run's record: one row per batch (record/runRecord.ts). */
  record?: RunRecord;
  /** The batch's own row of the run record, as a common table expression (the run's, or `--dry-run --sql`'s with a placeholder run id). */
  batchRow?: (step: number) => string;
}

/** What a step came to, short of an exception. */
export interface Outcome {
  status: 'done' | 'failed';
  rows: number;
  message?: string;
  /** Rows of a check that did not pass. */
  details?: Row[];
  /** Rows of a check that passed. */
  answer?: Row[];
}

type Row = Record<string, unknown>;

/** A check passes when rows came back and every one has ok = true; otherwise says why not. */
export function checkVerdict(rows: readonly Row[]): { ok: boolean; message: string } {
  if (rows.length === 0) return { ok: false, message: 'the check returned no rows' };
  const bad = rows.filter((r) => r.ok !== true);
  if (bad.length === 0) return { ok: true, message: '' };
  const names = bad.map((r) => String(r.check_name ?? r.detail ?? JSON.stringify(r)));
  return { ok: false, message: `${bad.length} of ${rows.length} row(s) not ok: ${names.join('; ')}` };
}

/** Runs `fn` with the session read-only, so a check can never write by mistake. */
export async function readOnly<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  // A session setting, not BEGIN READ ONLY: an explicit transaction would reject CockroachDB's
  // AS OF SYSTEM TIME in the scope reads (https://www.cockroachlabs.com/docs/stable/as-of-system-time).
  await db.settings({ default_transaction_read_only: 'on' });
  try {
    return await fn();
  } finally {
    await db.settings({ default_transaction_read_only: 'off' }).catch(() => {});
  }
}

async function inTransaction<T>(ctx: StepContext, priorityHigh: boolean, fn: () => Promise<T>): Promise<T> {
  await ctx.db.query(ctx.dialect.server.begin(priorityHigh));
  try {
    const result = await fn();
    await ctx.beforeCommit?.();
    await ctx.db.query('COMMIT');
    return result;
  } catch (error) {
    await ctx.db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** What a passing check or wait says: its rows' details (how many rows, what a backup takes), which the person running it needs. */
function sayPassed(ctx: StepContext, rows: readonly Row[]): void {
  ctx.ui.say(`step ${ctx.step.header.number}: passed: ${rows.map((r) => r.detail ?? r.check_name).join('; ')}`);
}

export async function runCheck(ctx: StepContext): Promise<Outcome> {
  const body = await withRunTimes(ctx);
  const { rows } = await readOnly(ctx.db, () => ctx.db.query<Row>(body));
  const verdict = checkVerdict(rows);
  if (verdict.ok) {
    sayPassed(ctx, rows);
    return { status: 'done', rows: rows.length, answer: rows };
  }
  return { status: 'failed', rows: rows.length, message: `check failed: ${verdict.message}`, details: rows };
}

export async function runWait(ctx: StepContext): Promise<Outcome> {
  const { header } = ctx.step;
  const intervalMs = (ctx.opts.waitInterval ?? header.intervalSeconds ?? 15) * 1000;
  const deadline = Date.now() + (header.timeoutSeconds ?? 1800) * 1000;
  const activity = ctx.ui.activity(`step ${header.number}: waiting`, 'first check running');
  const hold = header.holdSeconds === undefined ? undefined : ctx.opts.waitHold ?? header.holdSeconds;
  try {
    return await (hold === undefined ? waitLoop(ctx, intervalMs, deadline, activity) : holdLoop(ctx, intervalMs, hold * 1000, activity));
  } finally {
    activity.stop();
  }
}

async function waitLoop(ctx: StepContext, intervalMs: number, deadline: number, activity: Activity): Promise<Outcome> {
  const { header } = ctx.step;
  for (let tries = 1; ; tries++) {
    const { rows } = await readOnly(ctx.db, () => ctx.db.query<Row>(ctx.body));
    const verdict = checkVerdict(rows);
    activity.update(`${verdict.ok ? 'passed' : 'not yet'}: ${rows.map((r) => r.detail ?? r.check_name).join('; ') || 'no rows'} (try ${tries})`);
    if (verdict.ok) {
      // What the wait ended on (e.g. how many processed events were left unmatched).
      sayPassed(ctx, rows);
      return { status: 'done', rows: rows.length, answer: rows };
    }
    if (Date.now() + intervalMs > deadline) {
      return { status: 'failed', rows: rows.length, message: `did not pass within ${header.timeoutSeconds}s (${tries} tries): ${verdict.message}`, details: rows };
    }
    if (tries === 1) ctx.ui.say(`step ${header.number}: waiting (every ${intervalMs / 1000}s, at most ${header.timeoutSeconds}s): ${rows.map((r) => r.detail ?? r.check_name).join('; ')}`);
    await sleep(intervalMs, undefined, { signal: ctx.signal });
  }
}

/**
 * A wait that holds (`restitch:hold`): every try over `holdMs` must pass, and the first that does
 * not stops the step at once. What it proves (a restored entity survived the clean-up routine)
 * cannot come back once lost, so there is nothing to wait for.
 */
async function holdLoop(ctx: StepContext, intervalMs: number, holdMs: number, activity: Activity): Promise<Outcome> {
  const { header } = ctx.step;
  const started = Date.now();
  for (let tries = 1; ; tries++) {
    const { rows } = await readOnly(ctx.db, () => ctx.db.query<Row>(ctx.body));
    const verdict = checkVerdict(rows);
    const held = Math.round((Date.now() - started) / 1000);
    activity.update(`${verdict.ok ? 'holding' : 'broken'}: ${rows.map((r) => r.detail ?? r.check_name).join('; ') || 'no rows'} (${held}s of ${holdMs / 1000}s, try ${tries})`);
    if (!verdict.ok) {
      return { status: 'failed', rows: rows.length, message: `held ${held}s of ${holdMs / 1000}s, then failed (try ${tries}): ${verdict.message}`, details: rows };
    }
    if (Date.now() - started >= holdMs) {
      sayPassed(ctx, rows);
      return { status: 'done', rows: rows.length, answer: rows };
    }
    if (tries === 1) ctx.ui.say(`step ${header.number}: holding (every ${intervalMs / 1000}s, for ${holdMs / 1000}s; the first failing try stops the run)`);
    await sleep(Math.min(intervalMs, Math.max(0, holdMs - (Date.now() - started))), undefined, { signal: ctx.signal });
  }
}

export async function runChange(ctx: StepContext): Promise<Outcome> {
  const { copyFrom } = ctx.step.header;
  if (copyFrom) {
    const data = ctx.files?.get(copyFrom);
    if (data === undefined) throw checkError(`${ctx.step.file}: ${copyFrom} is missing from the runbook`);
    const { before, copy } = splitCopy(ctx.body, ctx.step.file);
    const rows = await inTransaction(ctx, false, async () => {
      if (before !== '') await ctx.db.query(before);
      return ctx.db.copyFrom(copy, data);
    });
    return { status: 'done', rows };
  }
  const body = await withRunTimes(ctx);
  if (!ctx.dialect.transactionalDdl) {
    // Schema changes first, each its own transaction (safe to repeat: IF NOT EXISTS), then the
    // data statements with the lease's confirmation: no transaction mixes the two.
    const { schema, data } = await splitSchemaChanges(body, ctx.dialect, ctx.path);
    for (const statement of schema) await ctx.db.query(statement);
    const result = await inTransaction(ctx, false, () => (data === '' ? Promise.resolve({ rowCount: 0 }) : ctx.db.query(data)));
    return { status: 'done', rows: result.rowCount };
  }
  const result = await inTransaction(ctx, false, () => ctx.db.query(body));
  return { status: 'done', rows: result.rowCount };
}

/** Reads the step's progress query: rows done so far and in all. */
export async function readProgress(ctx: Pick<StepContext, 'db' | 'step'>): Promise<{ done: number; total: number } | null> {
  const sql = ctx.step.header.progress;
  if (!sql) return null;
  const row = (await readOnly(ctx.db, () => ctx.db.query<{ done: unknown; total: unknown }>(sql))).rows[0];
  return row ? { done: Number(row.done), total: Number(row.total) } : null;
}
