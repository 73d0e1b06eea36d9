/**
 * The runbook's conditions on customer_events (--where with the event_time window, and
 * --delete-where) checked against the database before anything runs: EXPLAIN plans the filter
 * without running it, so an unknown column, function or operator, or a type that does not fit,
 * is refused while nothing has been created. Later the filter runs inside steps that first
 * stamp and fill the working tables, and a corrected runbook is another version of it.
 * https://www.postgresql.org/docs/current/sql-explain.html,
 * https://www.cockroachlabs.com/docs/stable/explain
 */
import { eventFilter } from '../core/context.js';
import { checkError } from '../core/errors.js';
import type { Manifest } from '../core/manifest.js';
import { readOnly } from './executors.js';
import type { Db } from './connection/session.js';

/** The conditions of `manifest` on customer_events, each with the option that gave it. */
export function runbookFilters(inputs: Manifest['inputs']): { flag: string; sql: string }[] {
  const events = eventFilter(inputs);
  const filters = events === null ? [] : [{ flag: inputs.where ? '--where' : '--event-time-from/--event-time-to', sql: events }];
  if (inputs.deleteWhere) filters.push({ flag: '--delete-where', sql: inputs.deleteWhere });
  return filters;
}

/** Refuses (exit 1, nothing created or run) when a condition of the runbook does not plan on its customer_events. */
export async function assertFiltersFit(db: Db, manifest: Manifest): Promise<void> {
  // The legacy schema's customer_events is the view in public (legacy-steps' templates name it so).
  const table = manifest.schema === 'legacy' ? 'public.customer_events' : 'customer_events';
  for (const { flag, sql } of runbookFilters(manifest.inputs)) {
    try {
      await readOnly(db, () => db.query(`EXPLAIN SELECT 1 FROM ${table} WHERE (${sql})`));
    } catch (error) {
      const e = error as { message?: string; code?: string };
      // Only what the condition itself gets wrong (classes 42 and 22); a missing table or grant is
      // for the platform check to name, a lost connection for the caller.
      if (e.code === '42P01' || e.code === '42501') return;
      if (!/^(42|22)/.test(e.code ?? '')) throw error;
      throw checkError(
        `${flag} of this runbook does not fit ${table}: ${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ''}; nothing was created or run. ` +
          `Generate the runbook again with a corrected ${flag} (the same --incident: nothing of this version ran) and run that one`,
      );
    }
  }
}
