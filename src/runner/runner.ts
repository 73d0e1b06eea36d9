/**
 * `restitch run`: verify, connect, then run the steps one at a time, recording each in the
 * journal. Returns one result per step (done / failed / stopped / not-executed) instead of
 * throwing through; refusals before anything ran are thrown as RestitchError.
 */
import { detectDialect, getDialect } from '../core/dialects/index.js';
import { withDefaultParallel } from './defaultParallel.js';
import { checkError } from '../core/errors.js';
import { sqlLiteral } from '../core/sql.js';
import type { Manifest } from '../core/manifest.js';
import type { SchemaProfile } from '../core/types.js';
import { join } from 'node:path';
import { formatBanner, sessionIdentity } from './banner.js';
import { APPLICATION_NAME } from './connection/connection.js';
import { withBatchSize } from './batch/batchSize.js';
import { dryRunStep } from './dryRun.js';
import type { StepContext } from './executors.js';
import { Journal } from './journal.js';
import { LeaseTable } from './lease/lease.js';
import { holdLease, sayLeaseHolder } from './lease/leaseRun.js';
import type { HeldLease } from './lease/heldLease.js';
import { assertFiltersFit } from './filterCheck.js';
import { assertPlatform } from './platform.js';
import { loadSteps } from '../core/steps.js';
import { checkSelection, cpsGuardedSteps, runbookIdentity, selectSteps, verifyChecksums, verifyRendering } from './plan.js';
import { assertNoCps, notExecuted, runStep } from './runStep.js';
import { DEFAULT_LEASE_TIMEOUT_MS, type RunbookSource, type RunDeps, type RunOptions, type RunReport } from './types.js';
import { StepScript } from './stepScript.js';
import { recheckBeforeResume, stepsToRecheck } from './resumeRecheck.js';
import { stepSettings } from './timeouts.js';
import { DEFAULT_MAX_SCAN_ROWS, declaredFullScans, explainedSteps, refusedPlans, runAcceptance } from '../acceptance/acceptance.js';
import { applyScanGuard, scanGuardSettings } from '../acceptance/scanGuard.js';
import { formatAcceptance, itemLine, refusal } from '../acceptance/report.js';
import { refuseForwardAfterUndo, refuseUndoPastNoReturn, regenerateAdvice } from './undoGuard.js';
import { closeIncident, refuseOtherIncident } from './registry/incidentRegistry.js';
import { RunControl } from './throttle/runControl.js';

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

export async function runRunbook(source: RunbookSource, undo: boolean, opts: RunOptions, given: RunDeps): Promise<RunReport> {
  const { manifest, files } = source;
  const control = new RunControl(opts);
  const deps = control.wrap(given);
  verifyChecksums(manifest, files, source.dir);
  verifyRendering(await deps.rerender(manifest, files), files, source.dir);
  const steps = loadSteps(manifest, files, undo);
  checkSelection(steps.length, opts);
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const bodies = new Map<number, string>();
  for (const s of steps) {
    const size = opts.batchSize;
    bodies.set(s.header.number, s.header.kind === 'batch' && size !== undefined ? withBatchSize(s.body, manifest.inputs.batchSize, size, s.file) : s.body);
  }
  const id = runbookIdentity(manifest, files, undo);
  const { db, dialect, version } = await connectChecked(deps, manifest);
  let lease: HeldLease | null = null;
  try {
    // Read-only first, so a refusal writes nothing at all; again under the lease, which closes the
    // gap in which another run could have moved on. The same for the plan below.
    const { workSchema, incident } = manifest.inputs;
    const refuse = async () => {
      if (undo) return refuseUndoPastNoReturn(db, manifest, files, id.checksum, source.dir);
      await refuseForwardAfterUndo(db, manifest, files, id.checksum);
      // One stitching change per database at a time (src/runner/registry).
      if (!opts.dryRun) await refuseOtherIncident(db, workSchema, incident, source.dir);
    };
    await refuse();
    if (!undo) await assertFiltersFit(db, manifest);
    const reader = new Journal(db, manifest.inputs.workSchema, id.runbook, id.checksum);
    const plan = async () => {
      const everything = await reader.history();
      const history = everything.filter((r) => r.checksum === id.checksum);
      return { ...selectSteps(steps, history, opts), otherVersion: history.length === 0 && everything.length > 0 };
    };
    let { run, note, otherVersion } = await plan();
    const guarded = cpsGuardedSteps(steps);
    if (!opts.dryRun && run.some((s) => guarded.has(s.header.number))) await assertNoCps(db, dialect.server, 'before anything runs');
    if (!opts.dryRun) await assertPlatform(db, manifest.schema as SchemaProfile);
    // `extra`: what only a real step gets (the throttle gate, the batch record).
    const contextOf = (step: (typeof steps)[number], journal: Journal, held: HeldLease | null, signal: AbortSignal, extra: Partial<StepContext> = {}): StepContext => ({
      db, ui: deps.ui, journal, dialect, step, body: bodies.get(step.header.number) ?? step.body, path: join(source.dir, step.file), opts, signal, files: byPath,
      ...(held ? { beforeCommit: () => held.confirmWithin(db), leaseLost: () => held.lostError(), lease: held } : {}),
      ...extra,
      connect: async () => {
        const worker = await deps.connect();
        await worker.useTraits(dialect.server);
        return worker;
      },
    });
    // Read-only proof on the target before anything changes (src/acceptance): a real run that starts
    // at step 1 refuses, a dry run reports and exits 1.
    const maxScanRows = opts.maxScanRows ?? DEFAULT_MAX_SCAN_ROWS;
    // A live run is changing the data: its checks would judge a moment of that run, not this one.
    const busy = opts.dryRun ? await sayLeaseHolder(db, manifest.inputs, deps.ui) : false;
    const accepted = run.length === 0 || (!opts.dryRun && run[0]?.header.number !== 1) ? null : await runAcceptance({
      db, dialect, version, scenario: manifest.scenario, workSchema: manifest.inputs.workSchema, run, bodies, maxScanRows, checks: opts.dryRun && !busy, cpsGuarded: run.some((s) => guarded.has(s.header.number)), contextOf: (s) => contextOf(s, reader, null, deps.signal),
    });
    if (accepted) deps.ui.say(deps.redact(formatAcceptance(accepted).trimEnd()));
    if (accepted && !accepted.ok && !opts.dryRun) throw checkError(`the acceptance run on the target failed, so nothing was run: ${deps.redact(refusal(accepted))}`);
    const explained = explainedSteps(accepted);
    if (!opts.dryRun) {
      await control.beforeLease(db, manifest.inputs.workSchema, manifest.inputs.incident);
      lease = await holdLease(db, { ...id, workSchema: manifest.inputs.workSchema, incident: manifest.inputs.incident, timeoutMs: opts.leaseTimeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS, dir: source.dir }, deps);
      await refuse();
      ({ run, note, otherVersion } = await plan());
    }
    // A resumed run re-checks, under its lease, what can go stale during a pause (resumeRecheck.ts).
    if (!undo) await recheckBeforeResume(db, stepsToRecheck(steps, run[0]), (s) => bodies.get(s.header.number) ?? s.body, run[0]!, deps.redact);
    const journal = new Journal(db, manifest.inputs.workSchema, id.runbook, id.checksum, lease);
    if (otherVersion) {
      deps.ui.say(`the journal holds runs of another version of this runbook (regenerated?); this version starts at its step 1 (every step is safe to repeat). 'restitch status' shows both`);
    }
    const report: RunReport = { runbook: id.runbook, checksum: id.checksum, dialect: dialect.name, steps: [], exitCode: accepted && !accepted.ok ? 1 : 0, ...(accepted ? { acceptance: accepted } : {}) };
    deps.ui.say(`${source.dir}${undo ? ' (undo)' : ''}: ${steps.length} steps, ${note}${opts.dryRun ? '; dry run: nothing will change' : ''}`);
    if (run.length > 0) {
      const who = await sessionIdentity(db);
      const w = { address: deps.address, version, ...who, incident: manifest.inputs.incident, scenario: manifest.scenario, dialect: dialect.name, undo, dryRun: opts.dryRun };
      deps.ui.say(deps.redact(formatBanner(w)));
    }
    if (!opts.dryRun && run.length > 0) await journal.ensure();
    const stepOpts = await withDefaultParallel(db, dialect.server, opts, run, deps.ui);
    if (lease && run.length > 0) await control.start(db, lease, { workSchema: manifest.inputs.workSchema, ...id }, deps, undo, stepOpts.parallel);
    const script = opts.dryRun && opts.sql ? new StepScript(dialect, opts, journal.table, new LeaseTable(db, manifest.inputs.workSchema, manifest.inputs.incident).lockStatement(sqlLiteral(manifest.inputs.incident), "'<run id>'")) : null;
    if (script) deps.ui.say(`the session connects with application_name = '${APPLICATION_NAME}' (a connection parameter, not a SET); the settings below are applied again after a reconnect`);
    const signal = lease ? AbortSignal.any([deps.signal, lease.signal]) : deps.signal;
    for (const [i, step] of run.entries()) {
      if (!signal.aborted) await control.beforeStep(db, run, i, deps.ui);
      if (signal.aborted) break;
      lease?.setStep(step.header.number);
      const ctx = contextOf(step, journal, lease, signal, {
        opts: stepOpts,
        ...(control.gate ? { throttle: control.gate } : {}),
        ...control.batchRecord(script !== null, { workSchema: manifest.inputs.workSchema, ...id }),
      });
      const shown = script ? { sql: script, guarded: guarded.has(step.header.number) } : undefined;
      // A step the acceptance run did not explain (it needed the steps before it, or the run resumed): its plans now.
      const replan = !opts.dryRun && !explained.has(step.header.number) && (step.header.kind === 'change' || step.header.kind === 'batch');
      if (replan) await db.settings(stepSettings(step.header.kind, opts));
      const refused = replan ? await refusedPlans(ctx, manifest.scenario, manifest.inputs.workSchema, maxScanRows) : [];
      const result =
        refused.length > 0 ? { ...notExecuted(step), status: 'failed' as const, message: `refused before it ran, nothing of it was changed: ${refused.map(itemLine).join('; ')}` }
        : opts.dryRun ? await dryRunStep(ctx, deps.redact, shown)
        : await applyScanGuard(db, scanGuardSettings(dialect.name, step, declaredFullScans(manifest.scenario), maxScanRows)).then(() => runStep(ctx, guarded.has(step.header.number), deps));
      const lost = lease?.lostError();
      if (lost) throw lost;
      report.steps.push(result);
      deps.ui.step(result);
      await control.stepEnded(step, result);
      if (result.status === 'done' || opts.dryRun) continue;
      report.exitCode = result.status === 'interrupted' ? 130 : 1;
      report.resume =
        result.status === 'stopped'
          ? `once step ${step.header.number} can be confirmed (typed in a terminal, or --confirm ${step.header.number}${step.header.kind === 'change' ? ' or --yes' : ''}), run again to go on at step ${step.header.number}`
          : `fix the cause, then run this to resume at step ${step.header.number}`;
      if (result.status !== 'stopped' && !undo) report.regenerate = regenerateAdvice(steps, step, manifest.schema === 'current') || undefined;
      for (const rest of run.slice(i + 1)) {
        report.steps.push(notExecuted(rest));
        deps.ui.step(notExecuted(rest));
      }
      return await control.ended(report, given.signal);
    }
    if (deps.signal.aborted) report.exitCode = 130;
    // Its last step done: the incident is over, and no longer holds the database (src/runner/registry).
    if (!opts.dryRun && report.exitCode === 0 && run.at(-1) === steps.at(-1)) await closeIncident(db, workSchema, incident, undo ? 'undo complete' : 'forward run complete');
    const next = opts.to === undefined || opts.dryRun || run.length === 0 ? undefined : steps.find((s) => s.header.number === (opts.to as number) + 1);
    if (report.exitCode === 0 && next) report.stoppedAfter = { step: opts.to as number, next: { step: next.header.number, title: next.header.title } };
    return await control.ended(report, given.signal);
  } finally {
    await lease?.release();
    await db.close();
  }
}


