/**
 * `restitch run`: verify, connect, then run the steps one at a time, recording each in the
 * journal. Returns one result per step (done / failed / stopped / not-executed) instead of
 * throwing through; refusals before anything ran are thrown as RestitchError.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { detectDialect, getDialect, type ServerTraits } from '../core/dialects/index.js';
import { checkError } from '../core/errors.js';
import type { Manifest } from '../core/manifest.js';
import type { RunbookFile } from '../core/types.js';
import { withBatchSize } from './batchSize.js';
import { dryRunStep } from './dryRun.js';
import { readOnly, runBatch, runChange, runCheck, runWait, type Outcome, type StepContext } from './executors.js';
import { Journal } from './journal.js';
import { cpsGuardedSteps, loadSteps, runbookIdentity, selectSteps, verifyChecksums } from './plan.js';
import { describeError } from './sqlError.js';
import { stepSettings } from './timeouts.js';
import { backoff, isTransient } from './transient.js';
import type { RunOptions, RunReport, RunStep, StepResult } from './types.js';
import type { Db } from './session.js';
import type { RunnerUi } from './ui.js';

/** A runbook as read from disk. */
export interface RunbookSource {
  dir: string;
  files: RunbookFile[];
  manifest: Manifest;
}

/** IO the runner is given: how to connect (called only after the files are verified), the person, Ctrl-C. */
export interface RunDeps {
  connect(): Promise<Db & { useTraits(traits: ServerTraits): Promise<void> }>;
  ui: RunnerUi;
  signal: AbortSignal;
  /** Scrubs the password from any text that is stored or shown. */
  redact(text: string): string;
}

/** Connects and proves the server is of the runbook's dialect; refuses (exit 1) otherwise. */
export async function connectChecked(deps: Pick<RunDeps, 'connect'>, manifest: Manifest) {
  const expected = getDialect(manifest.dialect);
  const db = await deps.connect();
  try {
    const version = String((await db.query<{ version: string }>('SELECT version() AS version')).rows[0]?.version ?? '');
    const actual = detectDialect(version);
    if (actual?.name !== expected.name) {
      throw checkError(`this runbook is for ${expected.label}, but the server is ${actual?.label ?? 'unknown'} (${version.split(' ').slice(0, 2).join(' ')}); nothing was run. Generate the runbook with --dialect ${actual?.name ?? '…'} or connect to the right server`);
    }
    await db.useTraits(expected.server);
    return { db, dialect: expected };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export async function runRunbook(source: RunbookSource, undo: boolean, opts: RunOptions, deps: RunDeps): Promise<RunReport> {
  const { manifest, files } = source;
  verifyChecksums(manifest, files, source.dir);
  const steps = loadSteps(manifest, files, undo);
  const bodies = new Map<number, string>();
  for (const s of steps) {
    const size = opts.batchSize;
    bodies.set(s.header.number, s.header.kind === 'batch' && size !== undefined ? await withBatchSize(s.body, manifest.inputs.batchSize, size, s.file) : s.body);
  }
  const id = runbookIdentity(manifest, files.find((f) => f.path === 'manifest.json')?.content ?? '', undo);
  const { db, dialect } = await connectChecked(deps, manifest);
  try {
    const journal = new Journal(db, manifest.inputs.workSchema, id.runbook, id.checksum);
    const history = (await journal.exists()) ? await journal.read() : [];
    const { run, note } = selectSteps(steps, history, opts);
    const report: RunReport = { runbook: id.runbook, checksum: id.checksum, dialect: dialect.name, steps: [], exitCode: 0 };
    deps.ui.say(`${source.dir}${undo ? ' (undo)' : ''}: ${steps.length} steps, ${note}${opts.dryRun ? '; dry run: nothing will change' : ''}`);
    const guarded = cpsGuardedSteps(steps);
    if (!opts.dryRun && run.some((s) => guarded.has(s.header.number))) await assertNoCps(db, dialect.server, 'before anything runs');
    if (!opts.dryRun && run.length > 0) await journal.ensure();
    for (const [i, step] of run.entries()) {
      if (deps.signal.aborted) break;
      const ctx: StepContext = { db, ui: deps.ui, journal, dialect, step, body: bodies.get(step.header.number) ?? step.body, opts, signal: deps.signal };
      const result = opts.dryRun ? await dryRunStep(ctx, deps.redact) : await runStep(ctx, guarded.has(step.header.number), deps);
      report.steps.push(result);
      deps.ui.step(result);
      if (result.status === 'done' || opts.dryRun) continue;
      report.exitCode = result.status === 'interrupted' ? 130 : 1;
      report.resume =
        result.status === 'stopped'
          ? `run the same command again (with --yes once it is done) to go on at step ${step.header.number}`
          : `fix the cause, then run the same command again: it resumes at step ${step.header.number}`;
      for (const rest of run.slice(i + 1)) {
        report.steps.push(notExecuted(rest));
        deps.ui.step(notExecuted(rest));
      }
      return report;
    }
    if (deps.signal.aborted) report.exitCode = 130;
    return report;
  } finally {
    await db.close();
  }
}

function notExecuted(step: RunStep): StepResult {
  return { step: step.header.number, file: step.file, title: step.header.title, kind: step.header.kind, status: 'not-executed', rows: null, ms: null };
}

async function assertNoCps(db: Db, traits: ServerTraits, when: string): Promise<void> {
  const n = Number((await readOnly(db, () => db.query<{ n: number }>(traits.cpsSessionsQuery))).rows[0]?.n ?? 0);
  if (n > 0) {
    throw checkError(`${n} 'Meiro CPS' session(s) connected ${when}; nothing may change while profile stitching runs. Disable the CPS component and wait for its runs to end, then run again`);
  }
}

/** Runs one step: guard, confirmation, journal, execution with bounded retries on transient errors. */
async function runStep(ctx: StepContext, guarded: boolean, deps: RunDeps): Promise<StepResult> {
  const { step, db, journal, opts } = ctx;
  const base = notExecuted(step);
  const started = Date.now();
  const finish = async (status: StepResult['status'], rows: number | null, message?: string, details?: Record<string, unknown>[]): Promise<StepResult> => {
    const text = message === undefined ? null : deps.redact(message);
    await recordSafely(ctx, () => journal.finish(step, status, rows, text));
    return { ...base, status, rows, ms: Date.now() - started, ...(text === null ? {} : { message: text }), ...(details ? { details } : {}) };
  };
  const confirmation = await confirmStep(ctx);
  if (deps.signal.aborted) return { ...base, status: 'interrupted', message: 'stopped by Ctrl-C before the step began' };
  if (confirmation !== null) return { ...base, status: 'stopped', message: confirmation };
  let attempt = 0;
  let started_ = false;
  for (;;) {
    try {
      await db.settings(stepSettings(step.header.kind, opts));
      if (guarded) await assertNoCps(db, ctx.dialect.server, `before step ${step.header.number}`);
      if (!started_) {
        await journal.start(step);
        started_ = true;
      }
      const outcome = await execute(ctx);
      return await finish(outcome.status, outcome.rows, outcome.message, outcome.details);
    } catch (error) {
      if (deps.signal.aborted) return await finish('interrupted', null, 'stopped by Ctrl-C; its open transaction was rolled back');
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

async function execute(ctx: StepContext): Promise<Outcome> {
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

/** Asks before a change or manual step; returns why the run stops, or null to go on. */
async function confirmStep(ctx: StepContext): Promise<string | null> {
  const { header, body } = ctx.step;
  if (header.kind === 'manual') {
    const instructions = [...header.notes, ...body.split('\n').map((l) => l.replace(/^--\s?/, ''))].filter((l) => l.trim() !== '');
    ctx.ui.say(`step ${header.number}/${header.total} is done by hand: ${header.title}\n${instructions.map((l) => `    ${l}`).join('\n')}`);
    if (ctx.opts.yes) return null;
    const answer = await ctx.ui.confirm(`Type 'done' once step ${header.number} is done`, 'done', ctx.signal);
    if (answer === null) return `step ${header.number} is done by hand and there is no terminal to confirm it: do it, then run again with --only ${header.number} --yes (or --yes)`;
    return answer ? null : `step ${header.number} was not confirmed`;
  }
  if (header.kind !== 'change' || ctx.opts.yes) return null;
  const answer = await ctx.ui.confirm(`Run step ${header.number}/${header.total} (change): ${header.title}?`, null, ctx.signal);
  if (answer === null) return `step ${header.number} changes data and there is no terminal to confirm it: run in a terminal, or pass --yes`;
  return answer ? null : `step ${header.number} was not confirmed`;
}

/** A journal write that must not be lost to a connection that just dropped. */
async function recordSafely(ctx: StepContext, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch {
    await ctx.db.reconnect();
    await write();
  }
}
