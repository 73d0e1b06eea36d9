/**
 * The journal: one row per (runbook, checksum, step) in the runbook's working schema. It is how
 * `status` and resume work. It holds step numbers, times, counts and error text (scrubbed of
 * the password by the caller), never connection details.
 */
import { sqlIdent, sqlInteger, sqlLiteral, sqlQualified } from '../core/sql.js';
import type { HeldLease } from './lease/heldLease.js';
import { closeAttempt, historyDdl, historyTable, openAttempt } from './history/journalHistory.js';
import { whoAmI, type Who } from './history/who.js';
import { tableExists, type Db } from './connection/session.js';
import type { Confirmation, RunStep, StepStatus } from './types.js';

/** One journal row, as read back. */
export interface JournalRow {
  runbook: string;
  checksum: string;
  step: number;
  file: string;
  kind: string;
  title: string;
  status: StepStatus;
  started_at: Date | null;
  finished_at: Date | null;
  rows_affected: number;
  batches: number;
  progress_done: number | null;
  progress_total: number | null;
  attempts: number;
  error: string | null;
  /** How the step was confirmed: 'typed', '--yes', '--confirm', or null (needs none). */
  confirmed_by?: string | null;
  /** Who ran the latest attempt (absent in journals made before these columns existed). */
  db_user?: string | null;
  os_user?: string | null;
  host?: string | null;
  run_id?: string | null;
}

export const JOURNAL_TABLE = 'restitch_journal';

/**
 * A journal row with its numbers as numbers. On CockroachDB INTEGER is INT8
 * (https://www.cockroachlabs.com/docs/stable/int), which node-postgres returns as a string:
 * without this, step 3 of the journal would be "3" and never match step 3 of the runbook.
 */
function journalRow(row: JournalRow): JournalRow {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...row,
    step: Number(row.step),
    rows_affected: Number(row.rows_affected),
    batches: Number(row.batches),
    progress_done: n(row.progress_done),
    progress_total: n(row.progress_total),
    attempts: Number(row.attempts),
    confirmed_by: row.confirmed_by ?? null,
  };
}

/**
 * The journal of one runbook version (runbook id + manifest checksum). Reading needs nothing;
 * writing needs the lease (`lease`): every write carries the condition that this run still holds
 * it, and a write that changes no row stops the run (see heldLease.ts).
 */
export class Journal {
  readonly table: string;
  /** The history table: every attempt of every step (history/journalHistory.ts). */
  readonly historyTable: string;
  private readonly schema: string;
  private readonly who: Who = whoAmI();

  constructor(
    private readonly db: Db,
    workSchema: string,
    readonly runbook: string,
    readonly checksum: string,
    private readonly lease: HeldLease | null = null,
  ) {
    this.table = sqlQualified(workSchema, JOURNAL_TABLE);
    this.schema = sqlIdent(workSchema);
    this.historyTable = historyTable(workSchema);
  }

  /**
   * Runs a write whose SQL ends with the lease condition on parameters `$n`, `$n+1`; no row
   * changed: the lease is lost (unless `guard` is false, for the history's end of an attempt,
   * whose row a journal of an older version may lack).
   */
  private async write(sql: (held: string) => string, params: unknown[], guard = true): Promise<void> {
    if (!this.lease) throw new Error('journal writes need the lease');
    const n = params.length;
    const held = this.lease.condition(`$${n + 1}`, `$${n + 2}`);
    const r = await this.db.query(sql(held), [...params, ...this.lease.key()]);
    if (r.rowCount === 0 && guard) throw await this.lease.lost();
  }

  /** Creates the schema and table when missing (both statements are IF NOT EXISTS). */
  async ensure(): Promise<void> {
    await this.db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
  runbook text NOT NULL,
  checksum text NOT NULL,
  step integer NOT NULL,
  file text NOT NULL,
  kind text NOT NULL,
  title text NOT NULL,
  status text NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  rows_affected bigint NOT NULL DEFAULT 0,
  batches bigint NOT NULL DEFAULT 0,
  progress_done bigint,
  progress_total bigint,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  confirmed_by text,
  PRIMARY KEY (runbook, checksum, step)
)`);
    // Journals made before the columns existed (ADD COLUMN IF NOT EXISTS: PostgreSQL and CockroachDB).
    // Who ran the latest attempt; the history table keeps every attempt.
    for (const column of ['confirmed_by', 'db_user', 'os_user', 'host', 'run_id']) {
      await this.db.query(`ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS ${column} text`);
    }
    await this.db.query(historyDdl(this.historyTable));
  }

  /**
   * Rows of this runbook, of every version (checksum) of it; none before the journal exists.
   * Reads only, so --dry-run and status never create it.
   */
  async history(): Promise<JournalRow[]> {
    if (!(await tableExists(this.db, this.table))) return [];
    const r = await this.db.query<JournalRow>(
      // Every column, not a list: a journal written before confirmed_by existed gains that
      // column only when a run writes to it, and `status` must still read it. Numbers are parsed
      // by journalRow (INT8 arrives as a string on CockroachDB).
      `SELECT * FROM ${this.table} WHERE runbook = $1 ORDER BY checksum, step`,
      [this.runbook],
    );
    return r.rows.map(journalRow);
  }

  /**
   * The step starts (again): status running, counters reset, one more attempt, how it was
   * confirmed and who runs it; and a new row in the history for this attempt.
   */
  async start(step: RunStep, confirmedBy: Confirmation = null): Promise<void> {
    const runId = this.lease?.runId ?? null;
    await this.write(
      (held) => `INSERT INTO ${this.table} AS j (runbook, checksum, step, file, kind, title, status, started_at, attempts, confirmed_by, db_user, os_user, host, run_id)
       SELECT CAST($1 AS text), CAST($2 AS text), CAST($3 AS INT8), CAST($4 AS text), CAST($5 AS text), CAST($6 AS text), 'running', now(), 1, CAST($7 AS text),
         current_user, CAST($8 AS text), CAST($9 AS text), CAST($10 AS text)
       WHERE ${held}
       ON CONFLICT (runbook, checksum, step) DO UPDATE SET
         status = 'running', started_at = now(), finished_at = NULL, rows_affected = 0, batches = 0,
         progress_done = NULL, progress_total = NULL, error = NULL, attempts = j.attempts + 1, confirmed_by = $7,
         db_user = current_user, os_user = $8, host = $9, run_id = $10`,
      [this.runbook, this.checksum, step.header.number, step.file, step.header.kind, step.header.title, confirmedBy, this.who.osUser, this.who.host, runId],
    );
    await this.write((held) => openAttempt(this.historyTable, this.table, held), [this.runbook, this.checksum, step.header.number, this.who.osUser, this.who.host, runId]);
  }

  /** One batch committed: called inside the batch's own transaction, so the count is exact. */
  async batch(step: RunStep, rows: number, total: number | null): Promise<void> {
    await this.write(
      (held) => `UPDATE ${this.table} SET rows_affected = rows_affected + $4, batches = batches + 1,
         progress_done = coalesce(progress_done, 0) + $4, progress_total = $5
       WHERE runbook = $1 AND checksum = $2 AND step = $3 AND ${held}`,
      [this.runbook, this.checksum, step.header.number, rows, total],
    );
  }

  /**
   * The same record as `batch`, as a common table expression for a batch statement (see
   * slots.ts, `-- restitch:journal`): it counts the rows of the statement's `batch` (one when
   * `perBatch`, the walks whose done table keeps one row per batch) and records nothing when the
   * batch is empty. The batch and its record are then one statement, one round trip.
   */
  batchCte(step: RunStep, total: number | null, perBatch: boolean): string {
    const rows = perBatch ? '(SELECT least(count(*), 1) FROM batch)' : '(SELECT count(*) FROM batch)';
    return `restitch_journal AS (
  UPDATE ${this.table} SET rows_affected = rows_affected + ${rows}, batches = batches + 1,
    progress_done = coalesce(progress_done, 0) + ${rows}, progress_total = ${total === null ? 'NULL' : sqlInteger(total)}
  WHERE runbook = ${sqlLiteral(this.runbook)} AND checksum = ${sqlLiteral(this.checksum)} AND step = ${sqlInteger(step.header.number)}
    AND EXISTS (SELECT 1 FROM batch)${this.lease ? `
    AND ${this.lease.literalCondition()}` : ''}
  RETURNING 1
)`;
  }

  /** Progress known before the first batch (a resumed step starts part-way). */
  async progress(step: RunStep, done: number, total: number): Promise<void> {
    await this.write(
      (held) => `UPDATE ${this.table} SET progress_done = $4, progress_total = $5 WHERE runbook = $1 AND checksum = $2 AND step = $3 AND ${held}`,
      [this.runbook, this.checksum, step.header.number, done, total],
    );
  }

  /** The step ended with `status`; `rows` replaces the count unless null (batches count as they go). */
  async finish(step: RunStep, status: StepStatus, rows: number | null, error: string | null): Promise<void> {
    await this.write(
      (held) => `UPDATE ${this.table} SET status = $4, finished_at = now(), rows_affected = coalesce($5, rows_affected), error = $6
       WHERE runbook = $1 AND checksum = $2 AND step = $3 AND ${held}`,
      [this.runbook, this.checksum, step.header.number, status, rows, error],
    );
    await this.write((held) => closeAttempt(this.historyTable, this.table, held), [this.runbook, this.checksum, step.header.number, this.lease?.runId ?? null], false);
  }
}
