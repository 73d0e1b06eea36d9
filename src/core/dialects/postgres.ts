import type { Dialect } from './dialect.js';

/** PostgreSQL: the legacy cdp_* schema, and the current schema hosted on PostgreSQL. */
export const postgres: Dialect = {
  name: 'postgres',
  label: 'PostgreSQL',
  schemas: ['current', 'legacy'],
  console: {
    name: 'psql',
    command: 'psql -v ON_ERROR_STOP=1',
    // psql goes on after an error unless ON_ERROR_STOP is set, also with -f
    // (https://www.postgresql.org/docs/current/app-psql.html#APP-PSQL-VARIABLES). PostgreSQL has
    // no function that raises, so the bundle defines one for its session: a function in pg_temp
    // goes with the session and is called only schema-qualified
    // (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-SEARCH-PATH). A
    // plpgsql function is VOLATILE, so a CASE branch calling it runs only when taken.
    preamble: [
      '\\set ON_ERROR_STOP on',
      "CREATE OR REPLACE FUNCTION pg_temp.restitch_check_failed(message text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', message; END $$;",
    ],
    copyInTransaction: true,
    raise: (message) => `pg_temp.restitch_check_failed(${message})`,
  },
  hasPgStatActivity: true,
  rejectsUnfilteredWrites: false,
  staleReadClause: '',
  supportsTransactionPriority: false,
  defaultBatchSize: 10_000,
  batchGrowth: 10,
  subqueryResultsConstrainScans: true,
  eventsInStorageOrder: true,
  exportsThroughIdentifierIndex: true,
  // Measured on PostgreSQL 18 (bench/endToEnd.mjs prints the estimate beside pg_total_relation_size):
  // an event row is a 24-byte tuple header, id, stitched, the array's header and the position,
  // a line pointer, and one entry in each of the backup's two indexes (id; ord, id).
  backupRowBytes: { event: 150, entity: 100, identifier: 4 },
  transactionalDdl: true,
  intDiv: '/',
  supportsDeleteLimit: false,
  foreignClauses: [],
  batchByHand: ['By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.'],
  server: {
    versionPattern: /^PostgreSQL /,
    cpsSessionsQuery:
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'Meiro CPS' AND pid <> pg_backend_pid()",
    // pg_stat_activity shows application_name of every session to every user: pg_stat_get_activity
    // fills it among the "Values available to all callers", before the columns it hides from
    // users without pg_read_all_stats (postgres/postgres src/backend/utils/adt/pgstatfuncs.c;
    // https://www.postgresql.org/docs/current/monitoring-stats.html). A test runs the guard as a
    // user without that role.
    sessionVisibility: null,
    sessionIdQuery: 'SELECT pg_backend_pid()::text AS id',
    // pg_cancel_backend ends the running statement; the open transaction is then aborted.
    // https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL
    cancelStatement: (id) => `SELECT pg_cancel_backend(${id}::int)`,
    begin: () => 'BEGIN',
    // With it off a backslash escapes inside '...': the runner's own literals and any bound
    // text would read differently. A server (or a role, a database) may default to off.
    // https://www.postgresql.org/docs/current/runtime-config-compatible.html#GUC-STANDARD-CONFORMING-STRINGS
    requiredSettings: { standard_conforming_strings: 'on' },
    // One ModifyTable per table written (data-modifying CTEs included, as InitPlans); its own
    // estimate is 0 rows without RETURNING, its input (the subplan related as Outer, Member
    // before PostgreSQL 14) estimates what it writes.
    // https://www.postgresql.org/docs/current/using-explain.html
    explain: { prefix: 'EXPLAIN (FORMAT JSON)', format: 'json', writeNodes: ['ModifyTable'] },
    // The operator's own word on how many processes one statement may take: a query may add
    // max_parallel_workers_per_gather workers (default 2) from the pool of max_parallel_workers
    // (default 8), and the source's export (CREATE TABLE ... AS SELECT) may use them
    // (https://www.postgresql.org/docs/current/when-can-parallel-query-be-used.html,
    // https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-MAX-PARALLEL-WORKERS-PER-GATHER).
    // Free connections: max_connections less the slots reserved for superusers and, from
    // PostgreSQL 16, for pg_use_reserved_connections (reserved_connections; NULL before), less
    // every process pg_stat_activity lists (background workers too: fewer, never more).
    parallelProbe: `SELECT LEAST(current_setting('max_parallel_workers_per_gather')::int, current_setting('max_parallel_workers')::int) AS statement_workers,
  current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
    - COALESCE(current_setting('reserved_connections', true)::int, 0) - (SELECT count(*)::int FROM pg_stat_activity) AS free_connections`,
  },
};
