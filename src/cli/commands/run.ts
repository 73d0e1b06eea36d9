/** `restitch run`: a thin handler over src/runner (and `source`, which status and release-lease share). */
import { RANGES } from '../../runner/batch/keyRanges.js';
import { inputError } from '../../core/errors.js';
import { parseDuration } from '../../core/directives.js';
import { rerender } from '../../io/rerender.js';
import { readRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { connectionTarget, leaseTarget } from '../../runner/connection/connection.js';
import { runRunbook } from '../../runner/runner.js';
import { stoppedBy } from '../../runner/runStep.js';
import { openSession, type PgSession } from '../../runner/connection/session.js';
import type { RunbookSource, RunOptions, RunReport } from '../../runner/types.js';
import { resumeCommand, withoutPassword } from '../resumeCommand.js';
import { sqlComment, sqlScriptUi } from '../sqlScriptUi.js';
import { terminalUi } from '../terminalUi.js';
import { throttleOptions } from './throttleOptions.js';

/** `DIR` or `DIR/undo` (the undo runbook lives inside its runbook's directory). */
export function source(dir: string, undoFlag: boolean): { src: RunbookSource; undo: boolean } {
  const trimmed = dir.replace(/\/+$/, '');
  const nested = /(^|\/)undo$/.test(trimmed);
  const root = nested ? trimmed.replace(/\/?undo$/, '') || '.' : trimmed;
  return { src: { dir: root, ...readRunbook(root) }, undo: undoFlag || nested };
}

function whole(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || !Number.isSafeInteger(n) || n < 1) throw inputError(`${flag} must be a whole number of at least 1, not '${String(raw)}'`);
  return n;
}

function duration(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (String(raw) === '0') return 0;
  const seconds = parseDuration(String(raw));
  if (seconds === null) throw inputError(`${flag} must look like 30s, 10m or 2h (or 0 for none), not '${String(raw)}'`);
  return seconds * 1000;
}

/** `--batch-target 250ms` (or 1s, 0): milliseconds. */
function millis(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const ms = /^(\d{1,7})ms$/.exec(String(raw));
  if (ms) return Number(ms[1]);
  const seconds = String(raw) === '0' ? 0 : parseDuration(String(raw));
  if (seconds === null) throw inputError(`${flag} must look like 250ms, 1s or 0, not '${String(raw)}'`);
  return seconds * 1000;
}

/** `--confirm 1,14`: step numbers, each a whole number of at least 1. */
function stepList(flag: string, raw: unknown): number[] | undefined {
  if (raw === undefined) return undefined;
  return String(raw).split(',').map((part) => whole(flag, part.trim()) as number);
}

/** Options as given on the command line, validated. */
export function runOptions(o: Record<string, unknown>): RunOptions {
  const waitInterval = o.waitInterval === undefined ? undefined : Number(o.waitInterval);
  if (waitInterval !== undefined && !(waitInterval > 0 && waitInterval <= 3600)) throw inputError(`--wait-interval must be a number of seconds above 0, not '${String(o.waitInterval)}'`);
  const waitHold = o.waitHold === undefined ? undefined : Number(o.waitHold);
  if (waitHold !== undefined && !(waitHold > 0 && waitHold <= 3600)) throw inputError(`--wait-hold must be a number of seconds above 0, not '${String(o.waitHold)}'`);
  if (o.sql === true && o.dryRun !== true) throw inputError('--sql prints what a dry run would send: use it with --dry-run');
  if (o.sql === true && o.json === true) throw inputError('--sql prints a SQL script; it cannot be combined with --json');
  const opts: RunOptions = { yes: o.yes === true, dryRun: o.dryRun === true, retries: whole('--retries', o.retries) ?? 5, backoffMs: 500 };
  if (o.sql === true) opts.sql = true;
  const set = <K extends keyof RunOptions>(key: K, value: RunOptions[K] | undefined) => {
    if (value !== undefined) opts[key] = value;
  };
  set('from', whole('--from', o.from));
  set('only', whole('--only', o.only));
  set('to', whole('--to', o.to));
  set('batchSize', whole('--batch-size', o.batchSize));
  set('batchTargetMs', millis('--batch-target', o.batchTarget));
  set('batchMin', whole('--batch-min', o.batchMin));
  set('batchMax', whole('--batch-max', o.batchMax));
  if (opts.batchMin !== undefined && opts.batchMax !== undefined && opts.batchMin > opts.batchMax) throw inputError(`--batch-min ${opts.batchMin} is above --batch-max ${opts.batchMax}`);
  const parallel = whole('--parallel', o.parallel);
  if (parallel !== undefined && parallel > RANGES) throw inputError(`--parallel must be at most ${RANGES} (a walk is cut into ${RANGES} key ranges), not ${parallel}`);
  set('parallel', parallel);
  set('confirm', stepList('--confirm', o.confirm));
  set('waitInterval', waitInterval);
  set('waitHold', waitHold);
  set('statementTimeoutMs', duration('--statement-timeout', o.statementTimeout));
  set('lockTimeoutMs', duration('--lock-timeout', o.lockTimeout));
  const lease = duration('--lease-timeout', o.leaseTimeout);
  if (lease !== undefined && lease < 1000) throw inputError(`--lease-timeout must be at least 1s, not '${String(o.leaseTimeout)}'`);
  set('leaseTimeoutMs', lease);
  set('maxScanRows', whole('--max-scan-rows', o.maxScanRows));
  return opts;
}

/** The last line of a run that ended well: done, stopped after `--to N` as asked, or a dry run's. */
function finished(report: RunReport, opts: RunOptions): string {
  if (opts.dryRun) return 'dry run: nothing was changed\n';
  if (report.stoppedAfter) return `stopped after step ${report.stoppedAfter.step} as asked; next: step ${report.stoppedAfter.next.step} (${report.stoppedAfter.next.title})\n`;
  return `${report.steps.length === 0 ? 'nothing to run: every step is done' : 'done'}\n`;
}

/** The whole command to run again, `--db` without its password (and how to give the password then). */
function again(argv: readonly string[], o: Record<string, unknown>): string {
  const command = resumeCommand(argv);
  const db = typeof o.db === 'string' ? o.db : undefined;
  return db !== undefined && withoutPassword(db) !== db ? `${command}   (password left out: give it in PGPASSWORD or ~/.pgpass)` : command;
}

/** What `run` hands to its caller as it starts, and what it is told. */
export interface RunHooks {
  /** The session, so a signal can interrupt it. */
  onSession(s: PgSession): void;
  /** The UI's way to say a line, so a signal's line is not drawn over by a progress bar. */
  onSay?(say: (text: string) => void): void;
  /** The arguments after the program, for the resume command (default process.argv). */
  argv?: readonly string[];
}

/** Runs a runbook. Returns the report and its text. */
export async function run(dir: string, o: Record<string, unknown>, signal: AbortSignal, hooks: RunHooks): Promise<{ report: RunReport; text: string }> {
  const { onSession, argv = process.argv.slice(2) } = hooks;
  const opts = { ...runOptions(o), ...(await throttleOptions(o)) };
  const { src, undo } = source(dir, o.undo === true);
  const target = connectionTarget(o.db as string | undefined, process.env);
  const steps = (undo ? src.manifest.undo : src.manifest.steps).length;
  const ui = opts.sql ? sqlScriptUi(() => steps) : terminalUi(o.json === true, () => steps);
  hooks.onSay?.((text) => ui.say(text));
  for (const note of target.notes) ui.say(note);
  const report = await runRunbook(src, undo, opts, {
    ui,
    signal,
    redact: target.redact,
    address: target.address,
    rerender: (manifest, files) => rerender(manifest, loadTemplates(), files),
    async connect(purpose) {
      if (purpose === 'lease') return openSession(leaseTarget(target));
      const session = await openSession(target);
      onSession(session);
      return session;
    },
  });
  const tail =
    report.exitCode === 0 ? finished(report, opts)
    : opts.dryRun ? 'dry run: nothing was changed; the acceptance run failed (its failures are listed above, first)\n'
    : `stopped${report.exitCode === 130 ? ` by ${report.stoppedBy ?? stoppedBy(signal)}` : ''}; ${report.resume ?? 'run this to resume'}:\n  ${again(argv, o)}\n${report.regenerate ? `${report.regenerate}\n` : ''}`;
  const text = o.json === true ? `${JSON.stringify(report, null, 2)}\n` : opts.sql ? sqlComment(tail) : tail;
  return { report, text };
}

/**
 * `run` with Ctrl-C (and SIGTERM, SIGHUP) wired: the first signal aborts, which ends the running
 * statement from a second connection; the runner then rolls back, records and returns 130.
 * A second signal exits at once (the database rolls back the open transaction when the
 * connection closes; the journal shows the step as running, which resume treats as interrupted).
 */
export async function runWithSignals(dir: string, o: Record<string, unknown>): Promise<{ report: RunReport; text: string }> {
  const controller = new AbortController();
  let session: PgSession | null = null;
  // Until the run's UI exists; then through it (it ends a progress bar before the line).
  let say: (text: string) => void = (text) => void process.stderr.write(`\n${text}\n`);
  const onSignal = (signal: NodeJS.Signals) => {
    const name = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    // After a hang-up the terminal is gone: a write to it fails (EIO), which must not end the run before it records its stop.
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    if (controller.signal.aborted) {
      say(`restitch: second ${name}: exiting now; the server rolls back the open transaction`);
      process.exit(130);
    }
    say(`restitch: ${name}: stopping: ending the running statement and rolling back its transaction (${name} again exits at once)`);
    controller.abort(name);
    void session?.interrupt().catch(() => {});
  };
  // SIGHUP is what a dropped SSH session sends: stop as cleanly as for SIGTERM, never exit 129.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    return await run(dir, o, controller.signal, {
      onSession: (s) => {
        session ??= s;
      },
      onSay: (ui) => {
        say = ui;
      },
    });
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
