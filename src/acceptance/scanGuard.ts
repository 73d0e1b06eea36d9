/**
 * The server's own refusal of a whole-table read at run time, where the dialect has one:
 * CockroachDB's session variables `disallow_full_table_scans` (on: a statement whose plan holds a
 * full scan of a "large" table fails with 54000, "query `...` contains a full table/index scan
 * which is explicitly disallowed", in cockroachdb/cockroach pkg/sql/conn_executor_exec.go) and
 * `large_full_scan_rows` (the estimated rows above which a table is large;
 * https://www.cockroachlabs.com/docs/stable/set-vars). The runner turns it on for every change and
 * batch step that its scenario does not declare to read whole tables (Scenario.fullScans), with
 * the acceptance run's limit, and off for the others. PostgreSQL has no such setting.
 */
import type { DialectName } from '../core/types.js';
import type { Db } from '../runner/connection/session.js';
import type { RunStep } from '../runner/types.js';

/**
 * The session settings of the guard for `step`, or null where the dialect has none. Off for the
 * steps that change nothing (a session setting stays until changed) and for the declared ones.
 */
export function scanGuardSettings(dialect: DialectName, step: RunStep, declared: Readonly<Record<string, string>>, maxScanRows: number): Record<string, string> | null {
  if (dialect !== 'cockroachdb') return null;
  if ((step.header.kind !== 'change' && step.header.kind !== 'batch') || declared[step.slug] !== undefined) return { disallow_full_table_scans: 'off' };
  return { disallow_full_table_scans: 'on', large_full_scan_rows: String(maxScanRows) };
}

/**
 * Applies the guard on `db` (kept after a reconnect, as every session setting). A server that does
 * not know the variables (before v21.2; 42704) runs without it: the acceptance run reports them
 * unknown there, and its EXPLAIN of each step stands in.
 */
export async function applyScanGuard(db: Db, settings: Record<string, string> | null): Promise<void> {
  if (!settings) return;
  try {
    await db.settings(settings);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '42704') throw error;
  }
}
