/**
 * Errors worth a reconnect and a retry: the step is safe to repeat, and the cause is the
 * connection or a concurrency conflict, not the SQL.
 */

// SQLSTATE codes. https://www.postgresql.org/docs/current/errcodes-appendix.html
const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure; CockroachDB's "restart transaction" retry errors use it too
  '40P01', // deadlock_detected
  '40003', // statement_completion_unknown: CockroachDB's ambiguous result
  // lock_not_available (lock_timeout): often the backend of a killed run, still finishing its
  // statement before it notices its client is gone; it lets go soon after.
  '55P03',
  '57P01', // admin_shutdown: the session was terminated (pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up
]);

// Class 08, connection exceptions, is transient as a whole.
const TRANSIENT_CLASS = '08';

const NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when `error` is a lost connection or a retryable conflict. */
export function isTransient(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (TRANSIENT_CODES.has(code) || code.startsWith(TRANSIENT_CLASS) || NODE_CODES.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  // node-postgres reports a socket closed by the server without a code.
  return /Connection terminated|connection (?:was )?closed|Client has encountered a connection error|restart transaction/i.test(message);
}

/** Delay before retry `attempt` (1-based): doubling from `base`, capped at 30 s. */
export function backoff(attempt: number, base: number): number {
  return Math.min(base * 2 ** (attempt - 1), 30_000);
}
