/**
 * Errors worth a reconnect and a retry: the step is safe to repeat, and the cause is the
 * connection or a concurrency conflict, not the SQL.
 */

// SQLSTATE codes. https://www.postgresql.org/docs/current/errcodes-appendix.html
const CONFLICT_CODES = new Set([
  '40001', // serialization_failure; CockroachDB's "restart transaction" retry errors use it too
  '40P01', // deadlock_detected
  '40003', // statement_completion_unknown: CockroachDB's ambiguous result
  // lock_not_available (lock_timeout): often the backend of a killed run, still finishing its
  // statement before it notices its client is gone; it lets go soon after.
  '55P03',
]);

const CONNECTION_CODES = new Set([
  '57P01', // admin_shutdown: the session was terminated (pg_terminate_backend), or the server is shutting down
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up
]);

// Class 08, connection exceptions, is a lost connection as a whole.
const CONNECTION_CLASS = '08';

// Node's socket errors: the server restarting (refused, reset) or unreachable for a while.
const NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

const fields = (error: unknown) => {
  const e = error as { code?: unknown; message?: unknown } | null;
  return { code: e && typeof e.code === 'string' ? e.code : '', message: e && typeof e.message === 'string' ? e.message : '' };
};

/** True when `error` is a lost (or refused) connection to the database: worth a reconnect, never bad usage. */
export function isConnectionError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = fields(error);
  if (CONNECTION_CODES.has(code) || code.startsWith(CONNECTION_CLASS) || NODE_CODES.has(code)) return true;
  // node-postgres reports a socket closed by the server without a code.
  return /Connection terminated|connection (?:was )?closed|Client has encountered a connection error/i.test(message);
}

/** True when `error` is a lost connection or a retryable conflict. */
export function isTransient(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const { code, message } = fields(error);
  return CONFLICT_CODES.has(code) || /restart transaction/i.test(message);
}

/** Delay before retry `attempt` (1-based): doubling from `base`, capped at 30 s. */
export function backoff(attempt: number, base: number): number {
  return Math.min(base * 2 ** (attempt - 1), 30_000);
}

/**
 * Runs `fn`; on a transient error, reconnects `db` after a backoff and runs it again, `tries`
 * times in all (with `base` 500 ms and 5 tries: 7.5 s of waiting, longer than a restart of a
 * second or two). For the writes that must outlive a restart: the journal's record of a step's
 * end and the lease's release. `fn` must be safe to repeat.
 */
export async function withReconnect<T>(db: { reconnect(): Promise<void> }, fn: () => Promise<T>, tries = 5, base = 500): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt, base)));
      await db.reconnect().catch(() => {});
    }
  }
}
