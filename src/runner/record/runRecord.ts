/**
 * The run's record beside the journal, for `restitch report`: who ran it and how it ended, the
 * answers of checks, lease takeovers (restitch_run_events), throttle pauses (restitch_pauses, and
 * the step's total in the journal's paused_ms) and one row per batch (restitch_batches, written by
 * the batch's own statement). Tables live in the runbook's working schema, created IF NOT EXISTS
 * like the journal's. Every write carries the lease condition, as the journal's do (heldLease.ts).
 */
import { sqlIdent, sqlInteger, sqlLiteral, sqlQualified } from '../../core/sql.js';
import type { HeldLease } from '../lease/heldLease.js';
import { JOURNAL_TABLE } from '../journal.js';
import type { Db } from '../connection/session.js';

export const PAUSES_TABLE = 'restitch_pauses';
export const BATCHES_TABLE = 'restitch_batches';
export const EVENTS_TABLE = 'restitch_run_events';

/** What the record of one runbook version in one run is keyed by. */
export interface RecordKey {
  workSchema: string;
  runbook: string;
  checksum: string;
}

/** `RunRecord.batchCte` for run id `runIdSql` (`run --dry-run --sql` shows it with a placeholder). */
export function batchRowCte(key: RecordKey, runIdSql: string, step: number): string {
  return `restitch_batch_row AS (
  INSERT INTO ${sqlQualified(key.workSchema, BATCHES_TABLE)} (runbook_id, checksum, run_id, step, started_at, ended_at, rows)
  SELECT ${sqlLiteral(key.runbook)}, ${sqlLiteral(key.checksum)}, ${runIdSql}, ${sqlInteger(step)}, now(), clock_timestamp(), count(*) FROM batch HAVING count(*) > 0
  RETURNING 1
)`;
}

export class RunRecord {
  readonly pauses: string;
  readonly batches: string;
  readonly events: string;
  private readonly journal: string;
  private readonly schema: string;

  constructor(
    private readonly db: Db,
    private readonly key: RecordKey,
    private readonly lease: HeldLease,
  ) {
    this.schema = sqlIdent(key.workSchema);
    this.pauses = sqlQualified(key.workSchema, PAUSES_TABLE);
    this.batches = sqlQualified(key.workSchema, BATCHES_TABLE);
    this.events = sqlQualified(key.workSchema, EVENTS_TABLE);
    this.journal = sqlQualified(key.workSchema, JOURNAL_TABLE);
  }

  /** The literal values every row starts with: runbook id, checksum, run id. */
  private head(): string {
    return `${sqlLiteral(this.key.runbook)}, ${sqlLiteral(this.key.checksum)}, ${sqlLiteral(this.lease.runId)}`;
  }

  /** Creates the tables (after the journal's) and the journal's paused_ms column when missing. */
  async ensure(): Promise<void> {
    await this.db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    const keyed = 'runbook_id text NOT NULL, checksum text NOT NULL, run_id text NOT NULL, step integer';
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.pauses} (${keyed}, started_at timestamptz NOT NULL, ended_at timestamptz, reason text NOT NULL)`);
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.batches} (${keyed}, started_at timestamptz NOT NULL, ended_at timestamptz NOT NULL, rows bigint NOT NULL)`);
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.events} (${keyed}, at timestamptz NOT NULL, kind text NOT NULL, detail text NOT NULL)`);
    await this.db.query(`ALTER TABLE ${this.journal} ADD COLUMN IF NOT EXISTS paused_ms bigint NOT NULL DEFAULT 0`);
  }

  /** One event: 'run' (who), 'run-end' (exit code), 'takeover' (whose lease), 'check' (its answer). */
  async event(kind: string, step: number | null, detail: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.events} (runbook_id, checksum, run_id, step, at, kind, detail) SELECT ${this.head()}, ${step === null ? 'NULL' : sqlInteger(step)}, now(), $1, $2 WHERE ${this.lease.literalCondition()}`,
      [kind, JSON.stringify(detail)],
    );
  }

  /** A pause began: its row, open until `pauseEnded`. */
  async pauseStarted(step: number, reason: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.pauses} (runbook_id, checksum, run_id, step, started_at, reason) SELECT ${this.head()}, $1, now(), $2 WHERE ${this.lease.literalCondition()}`,
      [step, reason],
    );
  }

  /** The open pause of `step` ended after `ms`: closed, and added to the step's paused_ms. */
  async pauseEnded(step: number, ms: number): Promise<void> {
    const held = this.lease.literalCondition();
    await this.db.query(
      `UPDATE ${this.pauses} SET ended_at = now() WHERE runbook_id = $1 AND checksum = $2 AND run_id = $3 AND step = $4 AND ended_at IS NULL AND ${held}`,
      [this.key.runbook, this.key.checksum, this.lease.runId, step],
    );
    await this.db.query(
      `UPDATE ${this.journal} SET paused_ms = paused_ms + $4 WHERE runbook = $1 AND checksum = $2 AND step = $3 AND status = 'running' AND ${held}`,
      [this.key.runbook, this.key.checksum, step, Math.round(ms)],
    );
  }

  /**
   * The batch's own row as a common table expression added after the journal's (slots.ts): the
   * batch's transaction start and the clock once its rows are written, and how many; nothing for
   * an empty batch. One statement, no round trip of its own.
   */
  batchCte(step: number): string {
    return batchRowCte(this.key, sqlLiteral(this.lease.runId), step);
  }

  /** The same row for a batch that is not one statement (no `-- restitch:journal` slot): inside its transaction. */
  async batch(step: number, rows: number): Promise<void> {
    if (rows === 0) return;
    await this.db.query(`INSERT INTO ${this.batches} (runbook_id, checksum, run_id, step, started_at, ended_at, rows) VALUES (${this.head()}, $1, now(), clock_timestamp(), $2)`, [step, rows]);
  }
}
