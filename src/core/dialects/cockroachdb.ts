import type { Dialect } from './dialect.js';

/**
 * CockroachDB: the current customer_attributes / customer_events schema.
 *
 * - pg_stat_activity is empty and pg_terminate_backend does not exist; sessions are listed by
 *   SHOW CLUSTER SESSIONS and end with CANCEL SESSION.
 * - Nothing reads crdb_internal (refused from v26.2 unless allow_unsafe_internals is on): SHOW
 *   statements stay allowed (docs/cockroachdb.md lists what changed and where it is cited).
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
    // SERIALIZABLE whatever the user's role defaults to (server.requiredSettings says why).
    preamble: ['\\set errexit', "SET default_transaction_isolation = 'serializable';", 'SET copy_from_atomic_enabled = on;'],
    // No crdb_internal builtin: from v26.2 (allow_unsafe_internals off by default, settable from
    // v25.4) every crdb_internal builtin outside a short allow-list is refused with 42501 when the
    // statement is planned, even in a CASE branch never taken (cockroachdb/cockroach PR 151887,
    // pkg/sql/opt/optbuilder SupportedCRDBInternalBuiltins; docs/cockroachdb.md). The error is a
    // cast of the message to INT8 instead: 22P02 `could not parse "<message>" as type int`. The
    // message holds count(*), so no planner folds the cast ahead of time: CockroachDB's FoldCast
    // applies only to a constant input, and only when evaluating it cannot fail
    // (pkg/sql/opt/norm/rules/fold_constants.opt); PostgreSQL folds only immutable functions of
    // constants (eval_const_expressions). A CASE evaluates only the branch it takes (CockroachDB:
    // pkg/sql/sem/eval/expr.go EvalCaseExpr, and pkg/sql/colexec/case.go runs each branch only on
    // the rows it selects).
    raise: (message) => `CAST(${message} AS INT8)::text`,
    // `cockroach sql` refuses COPY inside an explicit transaction (cockroachdb/cockroach PR 79629,
    // cli_copy_in_txn). Alone, a COPY is still all or nothing while copy_from_atomic_enabled is on,
    // its default since v22.2 (https://www.cockroachlabs.com/docs/stable/session-variables), which
    // the preamble sets anyway.
    copyInTransaction: false,
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
  // autocommit_before_ddl: on by default from v25.1 (https://www.cockroachlabs.com/docs/v25.1/session-variables).
  transactionalDdl: false,
  intDiv: '//',
  supportsDeleteLimit: true,
  foreignClauses: [
    {
      // A SHOW statement as a data source (https://www.cockroachlabs.com/docs/stable/selection-queries#using-the-output-of-other-statements),
      // read by PostgreSQL's parser as a quoted name of the same length.
      name: 'SHOW as a data source',
      pattern: /\[SHOW (CLUSTER SESSIONS|SYSTEM GRANTS)\]/g,
      replacement: '"SHOW $1"',
    },
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
    // SHOW CLUSTER SESSIONS is crdb_internal.cluster_sessions without internal sessions
    // (pkg/sql/delegate/show_sessions.go); a SHOW statement is not refused when
    // allow_unsafe_internals is off (docs crdb-internal#access-control). Closed sessions stay
    // listed with status 'CLOSED'; only ACTIVE and IDLE ones are connected, as CockroachDB's own
    // code reads it (pkg/sql/sessionprotectedts/session_protected_ts.go).
    cpsSessionsQuery:
      "SELECT count(*) AS n FROM [SHOW CLUSTER SESSIONS] WHERE application_name = 'Meiro CPS' AND status IN ('ACTIVE', 'IDLE')",
    sessionVisibility: {
      // SHOW CLUSTER SESSIONS lists other users' sessions only to admin, or to a user with
      // VIEWACTIVITY or VIEWACTIVITYREDACTED as a system privilege (granted directly, through a
      // role, or to public) or as a legacy role option (getLocalSessions in cockroachdb/cockroach
      // pkg/server/status.go: isAdmin, HasPrivilegeOrRoleOption). Asked without crdb_internal:
      // - admin: membership of the role admin, pg_has_role(..., 'MEMBER')
      //   (pkg/sql/logictest/testdata/logic_test/privilege_builtins);
      // - the system grants: SHOW SYSTEM GRANTS (grantee, privilege_type, is_grantable;
      //   pkg/sql/delegate/show_grants.go; "no privileges are required",
      //   https://www.cockroachlabs.com/docs/stable/show-system-grants), v22.2 and later, whose
      //   grantee the user is a member of.
      // The legacy role options are not asked: SHOW ROLES needs SELECT on system.users, and those
      // options are deprecated for the system privileges since v22.2
      // (https://www.cockroachlabs.com/docs/stable/security-reference/authorization). A user with
      // only the role option is refused and told the grant: safe, never a pass that proves nothing.
      condition: `(pg_has_role(current_user, 'admin', 'MEMBER')
    OR EXISTS (
      SELECT 1 FROM [SHOW SYSTEM GRANTS] AS g
      WHERE g.privilege_type IN ('VIEWACTIVITY', 'VIEWACTIVITYREDACTED', 'ALL')
        AND CASE WHEN g.grantee IN (current_user, 'public') THEN true ELSE pg_has_role(current_user, g.grantee, 'MEMBER') END))`,
      grant: 'GRANT SYSTEM VIEWACTIVITY TO <user>;',
    },
    sessionIdQuery: 'SELECT session_id AS id FROM [SHOW session_id]',
    cancelStatement: (id) => `CANCEL SESSION ${id}`,
    // https://www.cockroachlabs.com/docs/stable/begin-transaction
    begin: (high) => (high ? 'BEGIN TRANSACTION PRIORITY HIGH' : 'BEGIN'),
    // standard_conforming_strings is a compatibility variable fixed at on
    // (makeCompatBoolVar(`standard_conforming_strings`, true, ...) in cockroachdb/cockroach pkg/sql/vars.go).
    // SERIALIZABLE is the cluster's default, but a role or a session can default to READ COMMITTED
    // (ALTER ROLE ... SET default_transaction_isolation; https://www.cockroachlabs.com/docs/stable/read-committed,
    // https://www.cockroachlabs.com/docs/stable/set-vars). The lease's conditional UPDATE and each
    // batch's read-then-write rely on SERIALIZABLE (a write-skew is a retry there, not a lost
    // update), so every session sets it and proves it with SHOW.
    requiredSettings: { default_transaction_isolation: 'serializable' },
    // Plain EXPLAIN prints `estimated row count` only where table statistics exist; VERBOSE
    // prints it on every node, with "(missing stats)" where they do not
    // (pkg/sql/opt/exec/explain/emit.go, emitNodeAttributes). The writing node estimates its own
    // output: `• update` shows "estimated row count: 0" without RETURNING, its child the rows it
    // reads (pkg/sql/opt/exec/execbuilder/testdata/update: EXPLAIN (VERBOSE) UPDATE xyz ...).
    // Node names from nodeNames in emit.go; a data-modifying CTE is planned as a `• subquery`
    // with its own writing node.
    explain: { prefix: 'EXPLAIN (VERBOSE)', format: 'tree', writeNodes: ['insert', 'insert fast path', 'update', 'upsert', 'delete', 'delete range'] },
    // One session unless --parallel says more: the batches are sized for one writer (batchGrowth
    // 1 above, the bulk-update guide's slices), a second would add its writes to the same ranges'
    // leaseholders, and no CockroachDB cluster is measured by bench/ to show that it pays.
    parallelProbe: null,
  },
};
