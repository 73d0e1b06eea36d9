/** Text output of `run` and `status`: one line per step, and check rows as a table. Pure. */
import type { JournalRow } from './journal.js';
import { describeWho, type HistoryRow } from './history/journalHistory.js';
import type { StepResult } from './types.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Rows as an aligned text table (columns in the order of the first row); only `detail`, which says why a check failed, is never shortened. */
export function formatTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '    (no rows)\n';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.min(c === 'detail' ? Infinity : 60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (values: string[]) => `    ${values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join(' | ').trimEnd()}\n`;
  return line(columns) + line(widths.map((w) => '-'.repeat(w))) + cells.map(line).join('');
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Colours a padded status word by its status (the CLI's, for a terminal); the identity by default. */
export type StatusPaint = (status: string, text: string) => string;
const plain: StatusPaint = (_status, text) => text;

/** "  4/14 check   done          3 rows     12 ms  Title" plus message and table lines. */
export function formatStepLine(r: StepResult, total: number, paint: StatusPaint = plain): string {
  const rows = r.rows === null ? '' : `${r.rows} rows`;
  let text = `${`${r.step}/${total}`.padStart(6)} ${r.kind.padEnd(6)} ${paint(r.status, r.status.padEnd(12))} ${rows.padStart(12)} ${formatMs(r.ms).padStart(9)}  ${r.title}\n`;
  if (r.wouldTouch) text += `         would: ${r.wouldTouch}\n`;
  if (r.message) text += `         ${r.message}\n`;
  if (r.details) text += formatTable(r.details);
  return text;
}

/** One attempt under its step in `status`: when, how it ended, who ran it and how it was confirmed. */
export function formatAttempt(h: HistoryRow): string {
  const ended = h.ended_at ? ` to ${h.ended_at.toISOString()}` : h.status === 'running' ? ' (no end recorded: the run died or lost its connection)' : '';
  const confirmed = h.confirmed_by ? `, confirmed ${h.confirmed_by}` : '';
  // A release (restitch release-lease, release-incident) is recorded beside the attempts, as attempt 0.
  const released = h.status === 'lease-released' || h.status === 'incident-released';
  const rows = released ? '' : `, ${h.rows} rows${h.batches > 0 ? ` in ${h.batches} batches` : ''}`;
  const what = released ? h.status.replace('-', ' ') : `attempt ${h.attempt}: ${h.status}`;
  return `         ${what}, ${h.started_at ? h.started_at.toISOString() : '?'}${ended}${rows}, by ${describeWho(h)}${confirmed}\n`;
}

/** One step's line in `status`: from the journal, or "pending" when it has no row; then its attempts. */
export function formatStatusLine(step: { number: number; total: number; kind: string; title: string }, row: JournalRow | undefined, attempts: readonly HistoryRow[] = [], paint: StatusPaint = plain): string {
  const status = row?.status ?? 'pending';
  const when = row?.finished_at ?? row?.started_at ?? null;
  const progress = row?.progress_total != null ? ` ${row.progress_done ?? 0}/${row.progress_total}` : '';
  const rows = row ? `${row.rows_affected} rows${row.batches > 0 ? ` in ${row.batches} batches` : ''}${progress}` : '';
  let text = `${`${step.number}/${step.total}`.padStart(6)} ${step.kind.padEnd(6)} ${paint(status, status.padEnd(12))} ${(when ? when.toISOString() : '').padEnd(24)} ${rows.padEnd(28)} ${step.title}\n`;
  if (row?.error) text += `         ${row.error}\n`;
  for (const h of attempts) text += formatAttempt(h);
  return text;
}
