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
 * - Priority stays NORMAL by default: "Cockroach Labs recommends leaving the transaction
 *   priority at the default setting in almost all cases"; HIGH pushes concurrent writers (event
 *   ingestion) into retries. https://www.cockroachlabs.com/docs/stable/set-transaction
 * - Batches of 2,000 rows: the bulk-update guide suggests UPDATE batches of "1,000 rows, 2,000
 *   rows, etc." and its example updates 2,000 at a time.
 *   https://www.cockroachlabs.com/docs/stable/bulk-update-data
 * - Uncorrelated subqueries are planned once; the main query is not re-optimised with their
 *   result, so `key > (SELECT ...)` or `key = ANY (ARRAY(SELECT ...))` cannot constrain a scan
 *   (https://github.com/cockroachdb/cockroach/issues/51820).
 */
export const cockroachdb: Dialect = {
  name: 'cockroachdb',
  label: 'CockroachDB',
  schemas: ['current'],
  console: {
    name: 'cockroach sql',
    command: 'cockroach sql --url "$DATABASE_URL"',
    // The shell's client-side option errexit ("exit the shell upon a query error",
    // cockroachdb/cockroach pkg/cli/clisqlshell/sql.go; https://www.cockroachlabs.com/docs/stable/cockroach-sql#client-side-options),
    // set here rather than trusted to its default for piped input.
    preamble: ['\\set errexit'],
    // crdb_internal.force_error(code, message) raises `message` with SQLSTATE `code`; it is
    // volatile, so it runs only in the CASE branch taken (CockroachDB uses it this way itself:
    // https://www.cockroachlabs.com/docs/stable/known-limitations, "crdb_internal.force_error('23514', ...)";
    // pkg/sql/logictest and pkg/sql/conn_executor tests call crdb_internal.force_error('', 'error')).
    // It returns INT, hence the cast to the CASE's text. Where allow_unsafe_internals is off
    // (pkg/sql/unsafesql: crdb_internal builtins are refused with 42501) the call itself fails:
    // the script still stops, with that error instead of the check's message.
    raise: (message) => `crdb_internal.force_error('P0001', ${message})::text`,
  },
  hasPgStatActivity: false,
  rejectsUnfilteredWrites: true,
  staleReadClause: 'AS OF SYSTEM TIME follower_read_timestamp()',
  supportsTransactionPriority: true,
  defaultBatchSize: 2000,
  // Never above the generated size unless --batch-max says so: the bulk-update guide's slices of
  // 1,000-2,000 rows keep each transaction short; slower batches (contention) shrink it.
  batchGrowth: 1,
  subqueryResultsConstrainScans: false,
  // A table's rows are KV pairs keyed by the primary key (cockroachdb/cockroach
  // docs/tech-notes/encoding.md), in one sorted map split into ranges of contiguous keys
  // (https://www.cockroachlabs.com/docs/stable/architecture/distribution-layer): walking the
  // backup by id walks customer_events range by range, in the order it is stored.
  eventsInStorageOrder: false,
  exportsThroughIdentifierIndex: false,
  // Not measured on a cluster: a key (table, index and id prefix), the MVCC timestamp and the
  // encoded columns, before compression and replication; check a backup with SHOW RANGES.
  backupRowBytes: { event: 60, entity: 60, identifier: 2 },
  intDiv: '//',
  supportsDeleteLimit: true,
  foreignClauses: [
    {
      name: 'AS OF SYSTEM TIME',
      pattern: /\s+AS OF SYSTEM TIME follower_read_timestamp\s*\(\)/gi,
      replacement: '',
    },
  ],
  batchByHand: [
    'By hand: run the statement again until the shell prints INSERT 0. The runner puts the',
    'result of the restitch:floor query (the highest key done) in place of the key literal after',
    'src.<key> > before every batch, so each batch reads only its own rows. Pasted as it is, the',
    'statement stays correct (keys done are skipped through the done table) but every batch reads',
    'again the keys done before it: on a long step, paste that result in place of the literal.',
  ],
  server: {
    versionPattern: /^CockroachDB /,
    // Closed sessions stay listed with status 'CLOSED'; only ACTIVE and IDLE ones are connected,
    // as CockroachDB's own code reads it (pkg/sql/sessionprotectedts/session_protected_ts.go,
    // pkg/ccl/serverccl/statusccl/tenant_status_test.go).
    cpsSessionsQuery:
      "SELECT count(*) AS n FROM crdb_internal.cluster_sessions WHERE application_name = 'Meiro CPS' AND status IN ('ACTIVE', 'IDLE')",
    sessionVisibility: {
      // crdb_internal.cluster_sessions lists other users' sessions only to admin, or to a user with
      // VIEWACTIVITY or VIEWACTIVITYREDACTED as a system privilege (granted directly, through a
      // role, or to public) or as a legacy role option of the user itself (getLocalSessions in
      // cockroachdb/cockroach pkg/server/status.go: isAdmin, HasPrivilegeOrRoleOption; role options
      // are not inherited: https://www.cockroachlabs.com/docs/stable/create-role). Asked here as:
      // - crdb_internal.has_role_option: true for admin and for the role option
      //   (pkg/sql/internal_test.go TestQueryHasRoleOptionWithNoTxn; the option names in
      //   pkg/sql/roleoption/role_option.go);
      // - crdb_internal.kv_system_privileges: the system grants, what SHOW SYSTEM GRANTS reads
      //   (pkg/sql/delegate/show_grants.go; "no privileges are required",
      //   https://www.cockroachlabs.com/docs/stable/show-system-grants), v22.2 and later; whose
      //   grantee the user is a member of by pg_has_role(..., 'MEMBER')
      //   (pkg/sql/logictest/testdata/logic_test/privilege_builtins).
      condition: `(crdb_internal.has_role_option('VIEWACTIVITY')
    OR crdb_internal.has_role_option('VIEWACTIVITYREDACTED')
    OR EXISTS (
      SELECT 1 FROM crdb_internal.kv_system_privileges AS p
      WHERE p.path LIKE '/global%'
        AND ('VIEWACTIVITY' = ANY (p.privileges) OR 'VIEWACTIVITYREDACTED' = ANY (p.privileges) OR 'ALL' = ANY (p.privileges))
        AND CASE WHEN p.username IN (current_user, 'public') THEN true ELSE pg_has_role(current_user, p.username, 'MEMBER') END))`,
      grant: 'GRANT SYSTEM VIEWACTIVITY TO <user>; (with the legacy role option: ALTER USER <user> VIEWACTIVITY;)',
    },
    sessionIdQuery: 'SELECT session_id AS id FROM [SHOW session_id]',
    cancelStatement: (id) => `CANCEL SESSION ${id}`,
    // https://www.cockroachlabs.com/docs/stable/begin-transaction
    begin: (high) => (high ? 'BEGIN TRANSACTION PRIORITY HIGH' : 'BEGIN'),
    // standard_conforming_strings is a compatibility variable fixed at on
    // (makeCompatBoolVar(`standard_conforming_strings`, true, ...) in cockroachdb/cockroach pkg/sql/vars.go).
    requiredSettings: {},
    // Plain EXPLAIN prints `estimated row count` only where table statistics exist; VERBOSE
    // prints it on every node, with "(missing stats)" where they do not
    // (pkg/sql/opt/exec/explain/emit.go, emitNodeAttributes). The writing node estimates its own
    // output: `• update` shows "estimated row count: 0" without RETURNING, its child the rows it
    // reads (pkg/sql/opt/exec/execbuilder/testdata/update: EXPLAIN (VERBOSE) UPDATE xyz ...).
    // Node names from nodeNames in emit.go; a data-modifying CTE is planned as a `• subquery`
    // with its own writing node.
    explain: { prefix: 'EXPLAIN (VERBOSE)', format: 'tree', writeNodes: ['insert', 'insert fast path', 'update', 'upsert', 'delete', 'delete range'] },
  },
};
