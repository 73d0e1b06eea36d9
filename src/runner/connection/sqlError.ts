/** One line that says what went wrong in a step, with the SQLSTATE and a hint where one helps. */
import type { StepContext } from '../executors.js';
import { missingGrant } from './missingGrant.js';

interface PgError {
  message?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/**
 * The message a statement of the runbook raised on purpose (a change that found a row not as the
 * runbook recorded it, templates/partials/common/refuse-changed.hbs): a cast of the message to
 * INT8, which PostgreSQL reports as `invalid input syntax for type bigint: "restitch: ..."` and
 * CockroachDB as `could not parse "restitch: ..." as type int: ...` (both SQLSTATE 22P02).
 * Null for any other error.
 */
export function raisedByRunbook(error: unknown): string | null {
  const e = (error ?? {}) as PgError;
  if (e.code !== '22P02' || typeof e.message !== 'string') return null;
  const m = /"restitch: ([^"]*)"/.exec(e.message);
  return m ? (m[1] as string) : null;
}

export function describeError(error: unknown, ctx: Pick<StepContext, 'step'>): string {
  const raised = raisedByRunbook(error);
  if (raised) return `${ctx.step.file}: ${raised}`;
  const e = (error ?? {}) as PgError;
  const message = e.message ?? String(error);
  const code = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
  const parts = [`${ctx.step.file}: ${message}${code ? ` (SQLSTATE ${code})` : ''}`];
  if (e.detail) parts.push(`detail: ${e.detail}`);
  if (e.hint) parts.push(`hint: ${e.hint}`);
  if (code === '57014') parts.push('the statement ran past its statement_timeout; if that is expected, raise it with --statement-timeout');
  if (code === '55P03') parts.push('another session holds a lock this step needs (lock_timeout); find it in pg_stat_activity / crdb_internal.cluster_locks, or raise --lock-timeout');
  const grant = missingGrant(error);
  if (grant) parts.push(grant);
  if (code === '25006') parts.push('the session is read-only (default_transaction_read_only or a standby); connect to the primary');
  return parts.join('; ');
}
