import type { Dialect } from './dialect.js';

/**
 * CockroachDB: the current customer_attributes / customer_events schema.
 *
 * - pg_stat_activity is empty and pg_terminate_backend does not exist; sessions are in
 *   crdb_internal.cluster_sessions and end with CANCEL SESSION.
 *   https://www.cockroachlabs.com/docs/stable/cancel-session
 * - `cockroach sql` runs with sql_safe_updates on: UPDATE/DELETE without WHERE is refused.
 *   https://www.cockroachlabs.com/docs/stable/set-vars
 * - AS OF SYSTEM TIME is for read-only queries and transactions only.
 *   https://www.cockroachlabs.com/docs/stable/as-of-system-time
 * - Priority is per transaction (SET TRANSACTION PRIORITY HIGH), or per session through
 *   default_transaction_priority. https://www.cockroachlabs.com/docs/stable/set-transaction
 */
export const cockroachdb: Dialect = {
  name: 'cockroachdb',
  label: 'CockroachDB',
  schemas: ['current'],
  console: { name: 'cockroach sql', command: 'cockroach sql --url "$DATABASE_URL"' },
  hasPgStatActivity: false,
  rejectsUnfilteredWrites: true,
  staleReadClause: 'AS OF SYSTEM TIME follower_read_timestamp()',
  supportsTransactionPriority: true,
  supportsDeleteLimit: true,
  foreignClauses: [
    {
      name: 'AS OF SYSTEM TIME',
      pattern: /\s+AS OF SYSTEM TIME follower_read_timestamp\s*\(\)/gi,
      replacement: '',
    },
  ],
  bundlePreamble: ["SET default_transaction_priority = 'high';"],
  batchByHand: [
    "By hand: first SET default_transaction_priority = 'high'; in the session, then run the",
    'statement again until the shell prints INSERT 0.',
  ],
  server: {
    versionPattern: /^CockroachDB /,
    cpsSessionsQuery:
      "SELECT count(*)::int AS n FROM crdb_internal.cluster_sessions WHERE application_name = 'Meiro CPS'",
    sessionIdQuery: 'SELECT session_id AS id FROM [SHOW session_id]',
    cancelStatement: (id) => `CANCEL SESSION ${id}`,
    // https://www.cockroachlabs.com/docs/stable/begin-transaction
    begin: (high) => (high ? 'BEGIN TRANSACTION PRIORITY HIGH' : 'BEGIN'),
  },
};
