/**
 * The journal's history: one row per attempt of a step, never overwritten, in
 * `<work schema>.restitch_journal_history`, with who ran it: the database user, the OS user and
 * the host (as Flyway's `installed_by` records who applied a migration:
 * https://documentation.red-gate.com/fd/flyway-schema-history-table-273973417.html). The
 * journal (journal.ts) keeps the latest attempt of each step, for resume; this table keeps them
 * all, for `status` and for a later look at what happened. A released lease is a row of its own
 * (status `lease-released`, attempt 0).
 */
import { sqlQualified } from '../../core/sql.js';
import { tableExists } from '../connection/session.js';

export const HISTORY_TABLE = 'restitch_journal_history';

/** One attempt of one step, as read back (numbers parsed: INT8 arrives as text from CockroachDB). */
export interface HistoryRow {
  runbook_id: string;
  checksum: string;
  step: number;
  attempt: number;
  /** A step status ('running' while it runs, or for a run that died), or 'lease-released' / 'incident-released'. */
  status: string;
  started_at: Date | null;
  ended_at: Date | null;
  rows: number;
  batches: number;
  error: string | null;
  confirmed_by: string | null;
  db_user: string | null;
  os_user: string | null;
  host: string | null;
  run_id: string | null;
}

/** The table of one work schema. */
export const historyTable = (workSchema: string): string => sqlQualified(workSchema, HISTORY_TABLE);

/**
 * Its DDL. No primary key: a row is an event, several may share a step and attempt (a released
 * lease); CockroachDB then adds its hidden rowid (https://www.cockroachlabs.com/docs/stable/primary-key).
 * `rows` is quoted: a keyword (non-reserved on both databases, quoted to be safe).
 */
export function historyDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  runbook_id text NOT NULL,
  checksum text NOT NULL,
  step integer NOT NULL,
  attempt integer NOT NULL,
  status text NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  "rows" bigint NOT NULL DEFAULT 0,
  batches bigint NOT NULL DEFAULT 0,
  error text,
  confirmed_by text,
  db_user text,
  os_user text,
  host text,
  run_id text
)`;
}

/**
 * The statement that opens an attempt, copied from the journal row just started (`journal` on
 * its key `$1..$3`), with who runs it ($4 OS user, $5 host, $6 run id); `held` is the lease condition.
 */
export function openAttempt(table: string, journal: string, held: string): string {
  return `INSERT INTO ${table} (runbook_id, checksum, step, attempt, status, started_at, "rows", batches, confirmed_by, db_user, os_user, host, run_id)
  SELECT j.runbook, j.checksum, j.step, j.attempts, j.status, j.started_at, 0, 0, j.confirmed_by, current_user, CAST($4 AS text), CAST($5 AS text), CAST($6 AS text)
  FROM ${journal} AS j WHERE j.runbook = $1 AND j.checksum = $2 AND j.step = $3 AND ${held}`;
}

/** The statement that closes this run's attempt ($4 run id) with the journal row's end. */
export function closeAttempt(table: string, journal: string, held: string): string {
  const j = `FROM ${journal} AS j WHERE j.runbook = $1 AND j.checksum = $2 AND j.step = $3`;
  return `UPDATE ${table} SET status = (SELECT j.status ${j}), ended_at = (SELECT j.finished_at ${j}),
    "rows" = (SELECT j.rows_affected ${j}), batches = (SELECT j.batches ${j}), error = (SELECT j.error ${j})
  WHERE runbook_id = $1 AND checksum = $2 AND step = $3 AND run_id = $4 AND attempt = (SELECT j.attempts ${j}) AND ${held}`;
}

/** The row that records a released lease or incident (restitch release-incident): whose it was, and who released it (`confirmed_by`: how). */
export function releasedRow(table: string, status: 'lease-released' | 'incident-released' = 'lease-released'): string {
  return `INSERT INTO ${table} (runbook_id, checksum, step, attempt, status, started_at, ended_at, error, confirmed_by, db_user, os_user, host, run_id)
  VALUES ($1, $2, $3, 0, '${status}', now(), now(), $4, $5, current_user, $6, $7, $8)`;
}

/** Every attempt of a runbook (all versions), oldest first; none before the table exists. */
export async function readHistory(db: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }, workSchema: string, runbook: string): Promise<HistoryRow[]> {
  const table = historyTable(workSchema);
  if (!(await tableExists(db, table))) return [];
  const r = await db.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE runbook_id = $1 ORDER BY step, started_at, attempt`, [runbook]);
  return r.rows.map((row) => ({
    ...(row as unknown as HistoryRow),
    step: Number(row.step),
    attempt: Number(row.attempt),
    rows: Number(row.rows),
    batches: Number(row.batches),
  }));
}

/** "alice@host1 (database user restitch)". */
export function describeWho(row: Pick<HistoryRow, 'os_user' | 'host' | 'db_user'>): string {
  return `${row.os_user ?? '?'}@${row.host ?? '?'} (database user ${row.db_user ?? '?'})`;
}
