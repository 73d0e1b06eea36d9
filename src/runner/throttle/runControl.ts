/**
 * The runner's side of throttling and of the run's record: the stop signal folded into the run's
 * (a stop file ends the run like Ctrl-C, at a batch boundary, and the lease is released as
 * always), the gate before each step and batch, and the record's writes (who ran it, lease
 * takeovers, check answers, how the run ended). A dry run gets neither gate nor record.
 */
import { hostname, userInfo } from 'node:os';
import { sessionIdentity } from '../banner.js';
import type { HeldLease } from '../lease/heldLease.js';
import { describeHolder, LeaseTable, type LeaseHolder } from '../lease/lease.js';
import type { StepContext } from '../executors.js';
import { batchRowCte, RunRecord, type RecordKey } from '../record/runRecord.js';
import type { Db } from '../connection/session.js';
import { Journal, type JournalRow } from '../journal.js';
import { runbookLine } from '../record/runbookEta.js';
import type { RunDeps, RunnerUi, RunOptions, RunReport, RunStep, StepResult } from '../types.js';
import { gateWanted, ThrottleGate } from './gate.js';

const osUser = (): string => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
};

export class RunControl {
  private readonly stopper = new AbortController();
  private before: LeaseHolder | null = null;
  private key: RecordKey | null = null;
  /** The journal as it was when the run began (every version of this runbook), for the progress line. */
  private history: JournalRow[] | null = null;
  gate: ThrottleGate | null = null;
  record: RunRecord | null = null;

  constructor(private readonly opts: RunOptions) {}

  /** `deps` whose signal also aborts when the stop file asks (its reason names the file). */
  wrap(deps: RunDeps): RunDeps {
    return { ...deps, signal: AbortSignal.any([deps.signal, this.stopper.signal]) };
  }

  /** Before the lease is taken: who holds it now (a dead holder is then taken over). */
  async beforeLease(db: Db, workSchema: string, incident: string): Promise<void> {
    this.before = await new LeaseTable(db, workSchema, incident).holder();
  }

  /** Once the journal exists: the record's tables, who runs, any takeover, and the gate. */
  async start(db: Db, lease: HeldLease, key: RecordKey, deps: RunDeps, undo: boolean, parallel = this.opts.parallel ?? 1): Promise<void> {
    const record = new RunRecord(db, key, lease);
    await record.ensure();
    this.key = key;
    this.record = record;
    const who = await sessionIdentity(db);
    await record.event('run', null, { db_user: who.user, database: who.database, os_user: osUser(), host: hostname(), pid: process.pid, undo, parallel });
    if (this.before && this.before.runId !== lease.runId) await record.event('takeover', null, { from: describeHolder(this.before), from_run: this.before.runId, from_host: this.before.host });
    if (gateWanted(this.opts)) {
      this.gate = new ThrottleGate(this.opts, deps.ui, record, (reason) => this.stopper.abort(reason), deps.signal, deps.redact);
    }
  }

  /** What a step's context gets of the record: its batch rows (a dry run's `--sql` shows them with a placeholder run id). */
  batchRecord(script: boolean, key: RecordKey): Pick<StepContext, 'record' | 'batchRow'> {
    const record = this.record;
    if (record) return { record, batchRow: (n) => record.batchCte(n) };
    return script ? { batchRow: (n) => batchRowCte(key, "'<run id>'", n) } : {};
  }

  /** Before step `run[i]`: the whole-runbook progress line, then the pause and stop files (the throttle holds batches only). */
  async beforeStep(db: Db, run: readonly RunStep[], i: number, ui: RunnerUi): Promise<void> {
    if (this.key) {
      this.history ??= await new Journal(db, this.key.workSchema, this.key.runbook, this.key.checksum).history();
      ui.say(runbookLine(run, i, this.history, this.key.checksum));
    }
    await this.gate?.check(db, (run[i] as RunStep).header.number, false).catch((error: unknown) => {
      if (!this.stopper.signal.aborted) throw error;
    });
  }

  /** After a step: a check's or wait's answer (its rows, passing or not) into the record. */
  async stepEnded(step: RunStep, result: StepResult): Promise<void> {
    if (!this.record || (result.kind !== 'check' && result.kind !== 'wait')) return;
    const rows = result.details ?? result.answer ?? [];
    await this.record.event('check', step.header.number, { status: result.status, message: result.message ?? null, rows }).catch(() => {});
  }

  /** The run ended: recorded, and when the stop file stopped it (not `signal`, the person's), said so in `report`. */
  async ended(report: RunReport, signal: AbortSignal): Promise<RunReport> {
    const stop = this.stopper.signal;
    if (stop.aborted && !signal.aborted) {
      report.stoppedBy = String(stop.reason);
      report.exitCode = 130;
      const at = report.steps.find((s) => s.status !== 'done')?.step;
      report.resume = `remove ${this.opts.stopFile ?? 'the stop file'}, then run the same command again${at === undefined ? '' : `: it resumes at step ${at}`}`;
    }
    // The step it stopped at, and why: the journal keeps only a step's latest attempt.
    const last = report.steps.find((s) => s.status !== 'done' && s.status !== 'not-executed');
    const end = { exit_code: report.exitCode, ...(report.stoppedBy ? { stopped_by: report.stoppedBy } : {}), ...(last ? { step: last.step, status: last.status, message: last.message ?? null } : {}) };
    await this.record?.event('run-end', last?.step ?? null, end).catch(() => {});
    return report;
  }
}
