/**
 * Reads the incident record from the working schema, read-only: the journal history
 * (`restitch_journal_history`, one row per attempt with who ran it) when it exists, otherwise the
 * journal (`restitch_journal`, one row per step, its latest attempt, who from the run events);
 * and the record's own tables when they exist. Creates nothing.
 */
import { sqlQualified } from '../core/sql.js';
import { JOURNAL_TABLE } from '../runner/journal.js';
import { BATCHES_TABLE, EVENTS_TABLE, PAUSES_TABLE } from '../runner/record/runRecord.js';
import { tableExists, type Db } from '../runner/connection/session.js';
import type { Attempt, BatchRow, Pause, RunEvent } from './incidentRecord.js';

import { HISTORY_TABLE } from '../runner/history/journalHistory.js';

type Raw = Record<string, unknown>;

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const num = (v: unknown): number => Number(v ?? 0);

/** The rows of `table` for the runbooks `ids` (column `key`), or none when the table does not exist. */
async function rowsOf(db: Db, schema: string, name: string, key: string, ids: string[], order: string): Promise<Raw[] | null> {
  const table = sqlQualified(schema, name);
  if (!(await tableExists(db, table))) return null;
  // Every column (`*`): a table written by an older or newer restitch may lack or add some.
  return (await db.query<Raw>(`SELECT * FROM ${table} WHERE ${key} = ANY($1) ORDER BY ${order}`, [ids])).rows;
}

const fromHistory = (r: Raw): Attempt => ({
  runbook: String(r.runbook_id),
  checksum: String(r.checksum),
  step: num(r.step),
  attempt: num(r.attempt),
  status: String(r.status),
  startedAt: date(r.started_at),
  endedAt: date(r.ended_at),
  rows: num(r.rows),
  batches: num(r.batches),
  error: text(r.error),
  confirmedBy: text(r.confirmed_by),
  dbUser: text(r.db_user),
  osUser: text(r.os_user),
  host: text(r.host),
  runId: text(r.run_id),
});

/** A journal row as its latest attempt; who ran it from the last 'run' event of its runbook before it started. */
function fromJournal(r: Raw, events: readonly RunEvent[]): Attempt {
  const startedAt = date(r.started_at);
  const run = startedAt
    ? events.filter((e) => e.kind === 'run' && e.runbook === String(r.runbook) && e.at.getTime() <= startedAt.getTime()).at(-1)
    : undefined;
  const d = run?.detail ?? {};
  return {
    runbook: String(r.runbook),
    checksum: String(r.checksum),
    step: num(r.step),
    attempt: num(r.attempts),
    status: String(r.status),
    startedAt,
    endedAt: date(r.finished_at),
    rows: num(r.rows_affected),
    batches: num(r.batches),
    error: text(r.error),
    confirmedBy: text(r.confirmed_by),
    dbUser: text(d.db_user),
    osUser: text(d.os_user),
    host: text(d.host),
    runId: run?.runId ?? null,
  };
}

function parseDetail(raw: unknown): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(String(raw));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { text: String(raw) };
  }
}

/** Attempts in the order they started (one never started, last), then by step and attempt. */
const inTimeOrder = (attempts: Attempt[]): Attempt[] =>
  attempts.sort((a, b) => (a.startedAt?.getTime() ?? Infinity) - (b.startedAt?.getTime() ?? Infinity) || a.step - b.step || a.attempt - b.attempt);

/** Everything recorded about runbooks `ids` (an incident and its undo) in `schema`. */
export async function readRecord(db: Db, schema: string, ids: string[]) {
  const events: RunEvent[] = ((await rowsOf(db, schema, EVENTS_TABLE, 'runbook_id', ids, 'at')) ?? []).map((r) => ({
    runbook: String(r.runbook_id), runId: String(r.run_id), step: r.step == null ? null : num(r.step), at: date(r.at) as Date, kind: String(r.kind), detail: parseDetail(r.detail),
  }));
  const pauses: Pause[] = ((await rowsOf(db, schema, PAUSES_TABLE, 'runbook_id', ids, 'started_at')) ?? []).map((r) => ({
    runbook: String(r.runbook_id), runId: String(r.run_id), step: r.step == null ? null : num(r.step), startedAt: date(r.started_at) as Date, endedAt: date(r.ended_at), reason: String(r.reason),
  }));
  const batches: BatchRow[] = ((await rowsOf(db, schema, BATCHES_TABLE, 'runbook_id', ids, 'ended_at')) ?? []).map((r) => ({
    runbook: String(r.runbook_id), runId: String(r.run_id), step: num(r.step), startedAt: date(r.started_at) as Date, endedAt: date(r.ended_at) as Date, rows: num(r.rows),
  }));
  const history = await rowsOf(db, schema, HISTORY_TABLE, 'runbook_id', ids, 'step, attempt');
  if (history) return { source: 'history' as const, attempts: inTimeOrder(history.map(fromHistory)), events, pauses, batches };
  const journal = await rowsOf(db, schema, JOURNAL_TABLE, 'runbook', ids, 'step');
  return { source: journal ? ('journal' as const) : ('none' as const), attempts: inTimeOrder((journal ?? []).map((r) => fromJournal(r, events))), events, pauses, batches };
}
