/**
 * `restitch run`: verify, connect, then run the steps one at a time, recording each in the
 * journal. Returns one result per step (done / failed / stopped / not-executed) instead of
 * throwing through; refusals before anything ran are thrown as RestitchError.
 */
import { detectDialect, getDialect } from '../core/dialects/index.js';
import { checkError } from '../core/errors.js';
import type { Manifest } from '../core/manifest.js';
import type { SchemaProfile } from '../core/types.js';
import { join } from 'node:path';
import { formatBanner, sessionIdentity } from './banner.js';
import { APPLICATION_NAME } from './connection.js';
import { withBatchSize } from './batchSize.js';
import { dryRunStep } from './dryRun.js';
import type { StepContext } from './executors.js';
import { Journal } from './journal.js';
import { assertPlatform } from './platform.js';
import { loadSteps } from '../core/steps.js';
import { checkSelection, cpsGuardedSteps, runbookIdentity, selectSteps, verifyChecksums, verifyRendering } from './plan.js';
import { assertNoCps, notExecuted, runStep } from './runStep.js';
import type { RunbookSource, RunDeps, RunOptions, RunReport } from './types.js';
import { StepScript } from './stepScript.js';
import { refuseForwardAfterUndo, refuseUndoPastNoReturn } from './undoGuard.js';

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
    return { db, dialect: expected, version };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export async function runRunbook(source: RunbookSource, undo: boolean, opts: RunOptions, deps: RunDeps): Promise<RunReport> {
  const { manifest, files } = source;
  verifyChecksums(manifest, files, source.dir);
  verifyRendering(await deps.rerender(manifest), files, source.dir);
  const steps = loadSteps(manifest, files, undo);
  checkSelection(steps.length, opts);
  const bodies = new Map<number, string>();
  for (const s of steps) {
    const size = opts.batchSize;
    bodies.set(s.header.number, s.header.kind === 'batch' && size !== undefined ? await withBatchSize(s.body, manifest.inputs.batchSize, size, s.file) : s.body);
  }
  const id = runbookIdentity(manifest, files, undo);
  const { db, dialect, version } = await connectChecked(deps, manifest);
  try {
    if (undo) await refuseUndoPastNoReturn(db, manifest, files, id.checksum, source.dir);
    else await refuseForwardAfterUndo(db, manifest, id.checksum);
    const journal = new Journal(db, manifest.inputs.workSchema, id.runbook, id.checksum);
    const everything = await journal.history();
    const history = everything.filter((r) => r.checksum === id.checksum);
    if (history.length === 0 && everything.length > 0) {
      deps.ui.say(`the journal holds runs of another version of this runbook (regenerated?); this version starts at its step 1 (every step is safe to repeat). 'restitch status' shows both`);
    }
    const { run, note } = selectSteps(steps, history, opts);
    const report: RunReport = { runbook: id.runbook, checksum: id.checksum, dialect: dialect.name, steps: [], exitCode: 0 };
    deps.ui.say(`${source.dir}${undo ? ' (undo)' : ''}: ${steps.length} steps, ${note}${opts.dryRun ? '; dry run: nothing will change' : ''}`);
    if (run.length > 0) {
      const who = await sessionIdentity(db);
      const w = { address: deps.address, version, ...who, incident: manifest.inputs.incident, scenario: manifest.scenario, dialect: dialect.name, undo, dryRun: opts.dryRun };
      deps.ui.say(deps.redact(formatBanner(w)));
    }
    const guarded = cpsGuardedSteps(steps);
    if (!opts.dryRun && run.some((s) => guarded.has(s.header.number))) await assertNoCps(db, dialect.server, 'before anything runs');
    if (!opts.dryRun && run.length > 0) {
      await assertPlatform(db, manifest.schema as SchemaProfile);
      await journal.ensure();
    }
    const script = opts.dryRun && opts.sql ? new StepScript(dialect, opts, journal.table) : null;
    if (script) deps.ui.say(`the session connects with application_name = '${APPLICATION_NAME}' (a connection parameter, not a SET); the settings below are applied again after a reconnect`);
    for (const [i, step] of run.entries()) {
      if (deps.signal.aborted) break;
      const ctx: StepContext = { db, ui: deps.ui, journal, dialect, step, body: bodies.get(step.header.number) ?? step.body, path: join(source.dir, step.file), opts, signal: deps.signal };
      const shown = script ? { sql: script, guarded: guarded.has(step.header.number) } : undefined;
      const result = opts.dryRun ? await dryRunStep(ctx, deps.redact, shown) : await runStep(ctx, guarded.has(step.header.number), deps);
      report.steps.push(result);
      deps.ui.step(result);
      if (result.status === 'done' || opts.dryRun) continue;
      report.exitCode = result.status === 'interrupted' ? 130 : 1;
      report.resume =
        result.status === 'stopped'
          ? `once step ${step.header.number} can be confirmed (typed in a terminal, or --confirm ${step.header.number}${step.header.kind === 'change' ? ' or --yes' : ''}), run again to go on at step ${step.header.number}`
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


