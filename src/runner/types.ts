/**
 * The runner's contract: what it is asked to do, what it reports per step, and the small
 * interfaces it does IO through (database session, journal, person at the terminal).
 */
import type { ServerTraits } from '../core/dialects/index.js';
import type { Manifest } from '../core/manifest.js';
import type { ParsedStep, RunbookFile, StepHeader } from '../core/types.js';
import type { Db } from './connection/session.js';
import type { AcceptanceReport } from '../acceptance/report.js';

/** One step as the runner sees it: its header, its SQL body and its file. */
export type RunStep = ParsedStep;

/** Step status in the journal and in results (kysely's migrator style: one result per step). */
export type StepStatus = 'done' | 'failed' | 'interrupted' | 'running' | 'skipped' | 'not-executed' | 'stopped';

/** The outcome of one step in one invocation. */
export interface StepResult {
  step: number;
  file: string;
  title: string;
  kind: StepHeader['kind'];
  status: StepStatus;
  /** Rows changed (change, batch) or returned (check, wait); null when nothing ran. */
  rows: number | null;
  /** Milliseconds spent, null when the step did not run. */
  ms: number | null;
  /** Why it failed, stopped or was skipped. */
  message?: string;
  /** --dry-run: what the step would touch. */
  wouldTouch?: string;
  /** The rows of a check or wait that did not pass, as the database returned them. */
  details?: Record<string, unknown>[];
  /** The rows of a check or wait that passed (its answer, for the run's record). */
  answer?: Record<string, unknown>[];
  /** --dry-run --sql: the step's statements as the runner would send them. */
  sql?: string;
}

/** What `restitch run` was asked to do. */
export interface RunOptions {
  /** Confirm change steps without asking (never manual steps: those need typing or `confirm`). */
  yes: boolean;
  /** Step numbers confirmed on the command line (`--confirm 1,14`): the only way to confirm a manual step without a terminal. */
  confirm?: readonly number[];
  dryRun: boolean;
  /** With dryRun: put each step's statements, as they would run, in its result (`run --dry-run --sql`). */
  sql?: boolean;
  /** Run from this step number regardless of the journal. */
  from?: number;
  /** Run only this step. */
  only?: number;
  /** Stop after this step. */
  to?: number;
  /** Rows per batch instead of the runbook's (batch steps only); kept fixed unless `batchTargetMs` is given too. */
  batchSize?: number;
  /** Target time of one batch in ms (default 250; 0: the batch size stays fixed). */
  batchTargetMs?: number;
  /** Bounds of the adaptive batch size (default a tenth of the starting size, and the dialect's growth times it). */
  batchMin?: number;
  batchMax?: number;
  /** Sessions that walk a ranged batch step side by side (absent: chosen from the server, src/runner/defaultParallel.ts). */
  parallel?: number;
  /** Seconds between tries of every wait step instead of the step's own interval. */
  waitInterval?: number;
  /** Seconds a holding wait (`restitch:hold`) must stay ok instead of the step's own hold. */
  waitHold?: number;
  /** Overrides of the per-kind timeouts, in milliseconds (0 = none). */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** Transient-error retries per batch (batch steps) or per step before giving up, and the first backoff in ms. */
  retries: number;
  backoffMs: number;
  /**
   * How long this run's heartbeat may be silent before another run may take over its lease
   * (it heartbeats four times per timeout); a dead holder is taken over once its heartbeat is
   * older than both its own timeout and this one. Default DEFAULT_LEASE_TIMEOUT_MS.
   */
  leaseTimeoutMs?: number;
  /** A validated read-only query returning one number (src/runner/throttle/throttleQuery.ts): batches wait while it reads above `throttleMax`. */
  throttleQuery?: string;
  /** A shell command printing one number (compared with `throttleMax`), or exiting non-zero to mean "wait". */
  throttleCommand?: string;
  throttleMax?: number;
  /** Batches and steps wait while this file exists. */
  pauseFile?: string;
  /** The run stops cleanly at the next batch boundary (or step) once this file exists. */
  stopFile?: string;
  /** A pause longer than this ends the run with exit 1 (0 or absent: no limit). */
  maxPauseMs?: number;
  /** How often a pause senses again (default 2 s). */
  throttleIntervalMs?: number;
  /**
   * The largest platform table (planner's estimate of its rows) a step may read whole unless its
   * scenario declares it (src/acceptance); default DEFAULT_MAX_SCAN_ROWS.
   */
  maxScanRows?: number;
}

/** Two minutes: long enough for a slow heartbeat, short enough to wait out after a killed run. */
export const DEFAULT_LEASE_TIMEOUT_MS = 120_000;

/** How a step was confirmed, as the journal records it (null: the step needs no confirmation). */
export type Confirmation = 'typed' | '--yes' | '--confirm' | null;

/** Result of a whole invocation. */
export interface RunReport {
  runbook: string;
  checksum: string;
  dialect: string;
  steps: StepResult[];
  /** 0 finished (or dry run), 1 stopped by a failed check or error, 130 interrupted. */
  exitCode: 0 | 1 | 130;
  /** How to go on, when it did not finish. */
  resume?: string;
  /** When the runbook itself may be corrected and generated again without losing anything (before the point of no return). */
  regenerate?: string;
  /** What stopped it, when not the person's signal (the stop file). */
  stoppedBy?: string;
  /** `--to N` stopped the run after step N as asked, before `next` (absent when N was the last step). */
  stoppedAfter?: { step: number; next: { step: number; title: string } };
  /** The read-only acceptance run on the target before the first step (src/acceptance). */
  acceptance?: AcceptanceReport;
}

/** A runbook as read from disk. */
export interface RunbookSource {
  dir: string;
  files: RunbookFile[];
  manifest: Manifest;
}

/** A progress display for one batch step. */
export interface Progress {
  update(done: number): void;
  /** A note shown on the progress line until replaced (null clears it): a pause and why. */
  note?(text: string | null): void;
  stop(): void;
}

/** A step that runs for a while (a wait, a long change or check): elapsed time and the latest answer. */
export interface Activity {
  /** The latest answer (a wait's last check result); shown with the elapsed time. */
  update(latest: string): void;
  stop(): void;
}

/** How the runner talks to the person running it; the CLI provides the terminal version. */
export interface RunnerUi {
  /** The one report line of a finished (or stopped) step. */
  step(result: StepResult): void;
  /** A message for the person: what is about to happen, a retry, how to resume. */
  say(text: string): void;
  /**
   * Asks a yes/no question; `typed` asks for the word to be typed (manual steps). Resolves null
   * when there is no terminal to ask, and false when the signal aborts the question.
   */
  confirm(question: string, typed: string | null, signal: AbortSignal): Promise<boolean | null>;
  /** Starts a progress display; `total` from the step's progress query, null when unknown. */
  progress(title: string, total: number | null, done: number): Progress;
  /** Starts showing that a step is running: its elapsed time and `latest`, until stopped. */
  activity(title: string, latest: string): Activity;
}

/** IO the runner is given: how to connect (called only after the files are verified), the person, Ctrl-C. */
export interface RunDeps {
  /** A new session; `purpose` 'lease' is the lease's heartbeat connection (its own application_name). */
  connect(purpose?: 'lease'): Promise<Db & { useTraits(traits: ServerTraits): Promise<void> }>;
  ui: RunnerUi;
  signal: AbortSignal;
  /** Scrubs the password from any text that is stored or shown. */
  redact(text: string): string;
  /** host:port of the server, for the banner (never the password). */
  address: string;
  /** The runbook the generator renders for the manifest's inputs (what `restitch check` compares with). */
  rerender(manifest: Manifest, files: readonly RunbookFile[]): Promise<RunbookFile[]>;
}
