/**
 * The runbook contract shared by the generator, `check`, `bundle` and the runner.
 * Everything here is plain data: no IO, no clock.
 */
import type { EntityIds } from './entityIds.js';

/** Database dialects a runbook can target. */
export type DialectName = 'cockroachdb' | 'postgres';

/** Which table layout the statements address. */
export type SchemaProfile = 'current' | 'legacy';

/**
 * What a step does, and so how it is run:
 * - `check`: read-only; every row has a boolean `ok`; passes when rows came back and all are true.
 * - `change`: one transaction that changes data.
 * - `batch`: one statement, repeated (each time its own transaction) until it affects 0 rows.
 * - `wait`: a check repeated at `interval` until it passes or `timeout` ends.
 * - `manual`: an action only a person can do; the file holds instructions only.
 */
export type StepKind = 'check' | 'change' | 'batch' | 'wait' | 'manual';

export const STEP_KINDS: readonly StepKind[] = ['check', 'change', 'batch', 'wait', 'manual'];

/** Every input a runbook is rendered from; stored whole in manifest.json so `check` can re-render. */
export interface RunbookInputs {
  scenario: string;
  dialect: DialectName;
  /** Incident slug: names the output directory and prefixes every working table. */
  incident: string;
  /** Entity ids, deduplicated, sorted by their UTF-8 bytes (as entities.txt holds them). */
  entities: EntityIds;
  /** Extra boolean condition on customer_events, validated to be exactly one expression. */
  where: string | null;
  eventTimeFrom: string | null;
  eventTimeTo: string | null;
  batchSize: number;
  maxEvents: number;
  workSchema: string;
  /** legacy-steps Step 0: which events of the chosen entities to delete (one expression, like `where`), or null. */
  deleteWhere: string | null;
  /**
   * Go on with the working tables (backups above all) another version of this runbook left
   * under the same incident, instead of refusing them.
   */
  reuseBackups: boolean;
  /** Transaction priority of batch steps; 'high' only when asked for (CockroachDB). */
  priority?: 'normal' | 'high';
}

/** Header of one step file, as written by `formatHeader` and read back by `parseHeader`. */
export interface StepHeader {
  number: number;
  total: number;
  title: string;
  kind: StepKind;
  /** `wait` only: seconds between tries. */
  intervalSeconds?: number;
  /** `wait` only: give up after this many seconds. */
  timeoutSeconds?: number;
  /**
   * `wait` only: a wait that holds. It passes once its rows have been ok on every try for this
   * many seconds, and stops at the first try with a row not ok (what it proves cannot come back).
   */
  holdSeconds?: number;
  /** `batch` only: a one-line query returning `done` and `total` counts, for progress. */
  progress?: string;
  /** Transaction priority the runner should ask for (CockroachDB, `--priority high` only). */
  priority?: 'high';
  /**
   * `batch` only, where subquery results cannot constrain a scan (CockroachDB): a one-line
   * query returning `floor`, the highest key done; the runner binds it as a literal in place of
   * the batch statement's initial floor before every batch.
   */
  floor?: string;
  /**
   * `batch` only, for a walk that may be split into key ranges (`restitch run --parallel`): a
   * one-line query returning `lo` and `hi`, the lowest and highest key of the walk (text). On
   * such a step `floor` takes the range as $1 (after) and $2 (up to and including).
   */
  ranges?: string;
  /**
   * `change` only: the runbook file (entities.txt) whose bytes are the data of the body's final
   * `COPY ... FROM STDIN`; the runner streams it, a bundle carries it inline.
   */
  copyFrom?: string;
  /**
   * The runbook's point of no return: once this step is done (or any later step has begun), undo
   * can no longer put back what it promises and the runner refuses it; the way back is forward.
   */
  pointOfNoReturn?: true;
  /**
   * A check whose facts can go stale while a run is paused (CPS stitching again, an entity changed
   * since its backup): before a resumed run goes on past it, the runner runs it again, read-only,
   * and refuses to resume when it no longer passes.
   */
  recheckOnResume?: true;
  why: string;
  expect: string;
  /** Free-form extra comment lines (e.g. how to run the step by hand). */
  notes: string[];
}

/** A rendered file of a runbook, relative to the runbook directory. */
export interface RunbookFile {
  path: string;
  content: string;
}

/** A rendered step: its header and its file. */
export interface RenderedStep {
  header: StepHeader;
  slug: string;
  file: RunbookFile;
}

/** A step read back from a runbook's files. */
export interface ParsedStep {
  header: StepHeader;
  /** Path relative to the runbook directory, e.g. `11-reset-events.sql` or `undo/03-restore-events.sql`. */
  file: string;
  /** The slug without number, e.g. `reset-events`. */
  slug: string;
  /** The SQL after the header comment lines. */
  body: string;
}

/** A whole rendered runbook, ready to be written. */
export interface Runbook {
  inputs: RunbookInputs;
  steps: RenderedStep[];
  undo: RenderedStep[];
  /** Every file (steps, undo steps, runbook.md, manifest.json), sorted by path. */
  files: RunbookFile[];
}
