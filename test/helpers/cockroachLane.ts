/**
 * The CockroachDB lane: CockroachDB runbooks and the runner's CockroachDB code paths run on the
 * embedded PostgreSQL, made to behave as CockroachDB does where the runner depends on it.
 *
 * In the database (COCKROACH_COMPAT_SQL):
 * - INTEGER/INT columns are INT8 (https://www.cockroachlabs.com/docs/stable/int): an event
 *   trigger turns every new int2/int4 column into bigint, so node-postgres reads them as strings,
 *   as it does from CockroachDB.
 * - crdb_internal.cluster_sessions: the open sessions (pg_stat_activity) plus closed sessions,
 *   which CockroachDB keeps listed with status 'CLOSED'
 *   (https://www.cockroachlabs.com/docs/stable/ui-sessions-page: "active, idle, and closed
 *   sessions"); columns as in https://www.cockroachlabs.com/docs/stable/crdb-internal
 *   (cluster_sessions), those the runbooks read.
 * - follower_read_timestamp().
 * - Other users' sessions are listed only to a session allowed to see them (admin,
 *   VIEWACTIVITY or VIEWACTIVITYREDACTED), from an emulated privilege catalog
 *   (CRDB_PRIVILEGE_CATALOG_SQL); the lane's test user is admin, as root is.
 * - crdb_internal.force_error(code, message): raises `message` with SQLSTATE `code` (XXUUU when
 *   empty), as the builtin does; the lane first checks each call has the builtin's shape.
 * - `[SHOW CLUSTER SESSIONS]` and `[SHOW SYSTEM GRANTS]` as data sources: views named
 *   "SHOW CLUSTER SESSIONS" and "SHOW SYSTEM GRANTS" (the dialect's foreign clause turns the
 *   brackets into those quoted names); admin is the users in crdb_internal.compat_admins, so
 *   `pg_has_role(current_user, 'admin', 'MEMBER')` reads that list (a PostgreSQL superuser is a
 *   member of every role).
 *
 * Version profiles (laneProfiles.ts; default the newest): with allow_unsafe_internals off every
 * crdb_internal builtin and table outside the allow-lists is refused (42501) wherever it stands;
 * with autocommit_before_ddl on a schema change inside an explicit transaction commits it first
 * (LaneSession.earlyCommits counts them). On the shell path (`shell: true`, statements as
 * `cockroach sql` sends them): sql_safe_updates refuses UPDATE/DELETE without WHERE and, from v24.1,
 * SELECT FOR UPDATE/SHARE with neither WHERE nor LIMIT; COPY inside a transaction is refused.
 * `CANCEL SESSION` closes the session, as CockroachDB's does, not only its running statement.
 * - `INT / INT` is DECIMAL and `//` divides integers (laneIntDivision.ts).
 *
 * In front of the runner's session (LaneSession), each CockroachDB statement is first checked to
 * be legal where it stands, then translated: `SELECT version()` answers CockroachDB, `[SHOW
 * session_id]`, `CANCEL SESSION`, `BEGIN TRANSACTION PRIORITY ...`, `BEGIN TRANSACTION AS OF SYSTEM
 * TIME` (read-only; follower_read_timestamp() or a constant only), `SET
 * default_transaction_priority`, `AS OF SYSTEM TIME` (only in the FROM clause of a top-level
 * read-only SELECT, outside explicit transactions: cockroachdb/cockroach issue 71034, isAsOf in
 * pkg/sql/exec_util.go), casts to INT become INT8, and EXPLAIN of a change is refused in a
 * read-only session under the profiles before v25.3 (cockroachdb/cockroach issue 103754, fixed
 * by PR 149449), and EXPLAIN (VERBOSE) answers with PostgreSQL's plan drawn as CockroachDB's
 * text tree (crdbTree).
 */
import { loadPgQuery } from '../../src/core/where.js';
import { getDialect, type ServerTraits } from '../../src/core/dialects/index.js';
import { lintSql } from '../../src/lint/lintSql.js';
import { findAll, type Node } from '../../src/lint/tree.js';
import { checkInternals, checkSafeUpdates, crdbError, isSchemaChange } from './laneRules.js';
import type { ConnectionTarget } from '../../src/runner/connection/connection.js';
import { runInProcess as runRunbookInProcess } from '../../src/runner/runInProcess.js';
import { openSession, type Db, type PgSession, type QueryResult } from '../../src/runner/connection/session.js';
import type { RunOptions, RunReport } from '../../src/runner/types.js';
import { silentUi, type RunnerUi } from '../../src/runner/ui.js';
import { LANE_INT_DIVISION_SQL } from './laneIntDivision.js';
import { crdbScan, LaneScanGuard, translateShowSources, type ScanNode } from './laneAcceptance.js';

import { DEFAULT_PROFILE, laneVersion, type LaneProfile } from './laneProfiles.js';

/**
 * CockroachDB's privilege catalog as far as the CPS guard's visibility query reads it (dialect
 * cockroachdb, server.sessionVisibility): `crdb_internal.kv_system_privileges` (the system
 * grants, as `GRANT SYSTEM ... TO` writes them into system.privileges: path '/global/'),
 * `crdb_internal.has_role_option` (true for admin and for the user's own role options, as
 * system.role_options holds them; an unknown option is an error, pkg/sql/roleoption), and
 * `crdb_internal.is_admin()`; admins are the users listed in crdb_internal.compat_admins.
 * Role membership is PostgreSQL's own (GRANT role TO user; pg_has_role).
 */
export const CRDB_PRIVILEGE_CATALOG_SQL = `
CREATE SCHEMA IF NOT EXISTS crdb_internal;
GRANT USAGE ON SCHEMA crdb_internal TO PUBLIC;
CREATE TABLE crdb_internal.compat_admins (username text PRIMARY KEY);
CREATE TABLE crdb_internal.compat_role_options (username text NOT NULL, option text NOT NULL);
CREATE TABLE crdb_internal.kv_system_privileges (username text NOT NULL, path text NOT NULL, privileges text[] NOT NULL, grant_options text[] NOT NULL DEFAULT '{}', user_id oid);
GRANT SELECT ON crdb_internal.compat_admins, crdb_internal.compat_role_options, crdb_internal.kv_system_privileges TO PUBLIC;
CREATE FUNCTION crdb_internal.is_admin() RETURNS bool LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM crdb_internal.compat_admins WHERE username = current_user) $$;
CREATE FUNCTION crdb_internal.has_role_option(option text) RETURNS bool LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF upper(option) NOT IN ('CREATEROLE', 'NOCREATEROLE', 'PASSWORD', 'LOGIN', 'NOLOGIN', 'VALID UNTIL', 'CONTROLJOB', 'NOCONTROLJOB',
      'CONTROLCHANGEFEED', 'NOCONTROLCHANGEFEED', 'CREATEDB', 'NOCREATEDB', 'CREATELOGIN', 'NOCREATELOGIN', 'VIEWACTIVITY',
      'NOVIEWACTIVITY', 'CANCELQUERY', 'NOCANCELQUERY', 'MODIFYCLUSTERSETTING', 'NOMODIFYCLUSTERSETTING', 'DEFAULTSETTINGS',
      'VIEWACTIVITYREDACTED', 'NOVIEWACTIVITYREDACTED', 'SQLLOGIN', 'NOSQLLOGIN', 'VIEWCLUSTERSETTING', 'NOVIEWCLUSTERSETTING') THEN
    RAISE EXCEPTION 'unrecognized role option %', option USING ERRCODE = '42601';
  END IF;
  RETURN crdb_internal.is_admin() OR EXISTS (SELECT 1 FROM crdb_internal.compat_role_options AS o WHERE o.username = current_user AND o.option = upper(has_role_option.option));
END $$;
-- SHOW SYSTEM GRANTS: grantee, privilege_type, is_grantable of the '/global/' grants (pkg/sql/delegate/show_grants.go).
CREATE VIEW "SHOW SYSTEM GRANTS" AS
SELECT p.username AS grantee, g.privilege AS privilege_type, g.privilege = ANY (p.grant_options) AS is_grantable
FROM crdb_internal.kv_system_privileges AS p, unnest(p.privileges) AS g(privilege)
WHERE p.path = '/global/';
GRANT SELECT ON "SHOW SYSTEM GRANTS" TO PUBLIC;
`;

/** CockroachDB's admin check as the lane answers it: membership of admin is the compat_admins list. */
export function laneAdmin(sql: string): string {
  return sql.replace(/pg_has_role\(\s*current_user\s*,\s*'admin'\s*,\s*'MEMBER'\s*\)/gi, 'crdb_internal.is_admin()');
}

/**
 * CockroachDB's sha256(STRING) returns the hex digest of the string's bytes
 * (https://www.cockroachlabs.com/docs/stable/functions-and-operators); PostgreSQL's takes bytea.
 */
export const CRDB_SHA256_SQL = `CREATE FUNCTION sha256(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT encode(pg_catalog.sha256(convert_to($1, 'UTF8')), 'hex') $$;`;

export const COCKROACH_COMPAT_SQL = `
CREATE FUNCTION crdb_compat_int8() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT DISTINCT c.oid::regclass::text AS tbl, a.attname
    FROM pg_event_trigger_ddl_commands() AS d
    JOIN pg_class AS c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass AND c.relkind = 'r'
    JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE a.atttypid IN ('int2'::regtype, 'int4'::regtype)
  LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE bigint', r.tbl, r.attname);
  END LOOP;
END $$;
CREATE EVENT TRIGGER crdb_compat_int8 ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE TABLE AS', 'SELECT INTO') EXECUTE FUNCTION crdb_compat_int8();
${CRDB_PRIVILEGE_CATALOG_SQL}
-- The test user (the superuser that builds the database) is admin, as root is on CockroachDB.
INSERT INTO crdb_internal.compat_admins VALUES (current_user);
-- Whether the session sees other users' sessions, as the status server decides it for
-- crdb_internal.cluster_sessions (getLocalSessions in cockroachdb/cockroach pkg/server/status.go):
-- admin, or VIEWACTIVITY / VIEWACTIVITYREDACTED as a system privilege (directly, through a role
-- or to public) or as the user's own role option. Written from that code, not from the
-- dialect's query.
CREATE FUNCTION crdb_internal.compat_sees_all_sessions() RETURNS bool LANGUAGE sql STABLE AS $$
  SELECT crdb_internal.is_admin()
    OR EXISTS (SELECT 1 FROM crdb_internal.compat_role_options AS o
               WHERE o.username = current_user AND o.option IN ('VIEWACTIVITY', 'VIEWACTIVITYREDACTED'))
    OR EXISTS (SELECT 1 FROM crdb_internal.kv_system_privileges AS p
               JOIN pg_roles AS r ON r.rolname = p.username OR p.username = 'public'
               WHERE p.path = '/global/'
                 AND ('ALL' = ANY (p.privileges) OR 'VIEWACTIVITY' = ANY (p.privileges) OR 'VIEWACTIVITYREDACTED' = ANY (p.privileges))
                 AND (p.username = 'public' OR pg_has_role(current_user, r.oid, 'MEMBER'))) $$;
CREATE TABLE crdb_internal.closed_sessions (
  session_id text NOT NULL,
  user_name text NOT NULL,
  application_name text NOT NULL,
  session_start timestamptz NOT NULL DEFAULT now() - interval '1 hour',
  session_end timestamptz NOT NULL DEFAULT now()
);
CREATE VIEW crdb_internal.cluster_sessions AS
SELECT 1::int8 AS node_id, a.pid::text AS session_id,
  CASE WHEN a.state = 'active' OR a.xact_start IS NOT NULL THEN 'ACTIVE' ELSE 'IDLE' END AS status,
  a.usename::text AS user_name, coalesce(a.client_addr::text, '') AS client_address, a.application_name,
  a.query AS active_queries, a.query AS last_active_query, a.backend_start AS session_start,
  a.query_start AS active_query_start, NULL::timestamptz AS session_end, a.pid::int8 AS pg_backend_pid
FROM pg_stat_activity AS a
-- A user without pg_read_all_stats gets backend_type NULL for other users' sessions
-- (pgstatfuncs.c): those are client sessions too, listed or hidden by the rule above.
WHERE (a.backend_type = 'client backend' OR (a.backend_type IS NULL AND a.usesysid IS NOT NULL))
  AND (a.usename = current_user OR crdb_internal.compat_sees_all_sessions())
UNION ALL
SELECT 1, c.session_id, 'CLOSED', c.user_name, '', c.application_name, '', '', c.session_start, NULL, c.session_end, 0
FROM crdb_internal.closed_sessions AS c
WHERE c.user_name = current_user OR crdb_internal.compat_sees_all_sessions();
GRANT SELECT ON crdb_internal.cluster_sessions, crdb_internal.closed_sessions TO PUBLIC;
-- SHOW CLUSTER SESSIONS: cluster_sessions without internal sessions (pkg/sql/delegate/show_sessions.go).
CREATE VIEW "SHOW CLUSTER SESSIONS" AS
SELECT node_id, session_id, status, user_name, client_address, application_name, active_queries, last_active_query,
  session_start, active_query_start, 0::int8 AS num_txns_executed
FROM crdb_internal.cluster_sessions WHERE application_name NOT LIKE '$ internal%';
GRANT SELECT ON "SHOW CLUSTER SESSIONS" TO PUBLIC;
CREATE FUNCTION follower_read_timestamp() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT now() - interval '4.8 seconds' $$;
CREATE FUNCTION crdb_internal.force_error(code text, message text) RETURNS int8 LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = message, ERRCODE = CASE WHEN code = '' THEN 'XXUUU' ELSE code END;
END $$;
GRANT EXECUTE ON FUNCTION crdb_internal.force_error(text, text) TO PUBLIC;
${CRDB_SHA256_SQL}
${LANE_INT_DIVISION_SQL}
`;

/** Refuses a crdb_internal.force_error call CockroachDB would not take: two arguments, the first a SQLSTATE literal ('' or 5 characters). */
function checkForceError(tree: unknown): void {
  for (const call of findAll(tree, 'FuncCall')) {
    const name = ((call.funcname as Node[] | undefined) ?? []).map((n) => (n.String as Node | undefined)?.sval).join('.');
    if (name !== 'crdb_internal.force_error') continue;
    const args = (call.args as Node[] | undefined) ?? [];
    const code = ((args[0]?.A_Const as Node | undefined)?.sval as Node | undefined)?.sval;
    if (args.length !== 2 || typeof code !== 'string' || !/^(|[0-9A-Z]{5})$/.test(code)) {
      throw crdbError('unknown signature: crdb_internal.force_error() takes (STRING error code, STRING message)', '42883');
    }
  }
}


const AOST = /\s+AS\s+OF\s+SYSTEM\s+TIME\s+(?:'(?:[^']|'')*'|[A-Za-z_][\w.]*\s*\(\s*\)|-?\d+(?:\.\d+)?)/gi;
const MODIFYING = ['InsertStmt', 'UpdateStmt', 'DeleteStmt'];

/**
 * `CANCEL SESSION '<id>'` for PostgreSQL: it closes the session, not only its running statement
 * ("cancel a long-running session", https://www.cockroachlabs.com/docs/stable/cancel-session).
 */
function cancelSession(statement: string): string {
  const id = /^CANCEL\s+SESSION\s+'([^']*)'$/i.exec(statement.trim())?.[1];
  if (id === undefined || !/^\d+$/.test(id)) throw crdbError(`CANCEL SESSION needs a session id string: ${statement}`, '22023');
  return `SELECT pg_terminate_backend(${id}::int)`;
}

/** Session state the translation depends on. */
export interface LaneState {
  inTransaction: boolean;
  readOnly: boolean;
  /** The CockroachDB version emulated (DEFAULT_PROFILE when not given). */
  profile?: LaneProfile;
  /** Statements as `cockroach sql` sends them (sql_safe_updates on). */
  shell?: boolean;
}

/** `[SHOW ...]` data sources as the lane's views name them (the dialect's own foreign clause). */
const SHOW_SOURCES = getDialect('cockroachdb').foreignClauses.filter((c) => c.name === 'SHOW as a data source');
const showAsViews = (text: string): string => SHOW_SOURCES.reduce((t, c) => t.replace(c.pattern, c.replacement), text);

/** Byte-offset replacements applied from the end. */
function replaceAt(text: string, edits: { at: number; length: number; with: string }[]): string {
  let bytes = Buffer.from(text, 'utf8');
  for (const e of [...edits].sort((a, b) => b.at - a.at)) {
    bytes = Buffer.concat([bytes.subarray(0, e.at), Buffer.from(e.with, 'utf8'), bytes.subarray(e.at + e.length)]);
  }
  return bytes.toString('utf8');
}

/**
 * One statement text as CockroachDB would take it, checked and rewritten for PostgreSQL; throws
 * as CockroachDB would where it would refuse it.
 */
export async function translate(sql: string, state: LaneState): Promise<string> {
  const trimmed = sql.trim().replace(/;$/, '');
  const profile = state.profile ?? DEFAULT_PROFILE;
  if (/^SELECT version\(\)( AS version)?$/i.test(trimmed)) return `SELECT '${laneVersion(profile)}' AS version`;
  // A historical transaction: BEGIN [TRANSACTION] AS OF SYSTEM TIME with follower_read_timestamp()
  // or a constant; it is read-only ("AS OF SYSTEM TIME specified with READ WRITE mode" otherwise)
  // and with_max_staleness/with_min_timestamp are refused there (cockroachdb/cockroach
  // pkg/sql/logictest/testdata/logic_test/as_of_ccl; added by cockroachdb/cockroach PR 34305).
  const historical = /^BEGIN(?:\s+TRANSACTION)?\s+AS\s+OF\s+SYSTEM\s+TIME\s+(.+)$/is.exec(trimmed);
  if (historical) {
    if (!/^(?:follower_read_timestamp\(\s*\)|'(?:[^']|'')*'|-?\d+(?:\.\d+)?)$/i.test(historical[1]?.trim() ?? '')) {
      throw crdbError('AS OF SYSTEM TIME: only constant expressions or follower_read_timestamp are allowed', '0A000');
    }
    if (state.inTransaction) throw crdbError('there is already a transaction in progress', '25001');
    return 'BEGIN TRANSACTION READ ONLY';
  }
  const begin = /^BEGIN(?:\s+TRANSACTION)?(?:\s+PRIORITY\s+(\w+))?$/i.exec(trimmed);
  if (begin) {
    if (begin[1] && !/^(HIGH|NORMAL|LOW)$/i.test(begin[1])) throw crdbError(`syntax error at or near "${begin[1]}"`, '42601');
    return 'BEGIN';
  }
  const priority = /^SET\s+default_transaction_priority\s*(?:=|TO)\s*'?(\w+)'?$/i.exec(trimmed);
  if (priority) {
    if (!/^(high|normal|low)$/i.test(priority[1] ?? '')) throw crdbError(`invalid value for parameter "default_transaction_priority"`, '22023');
    return 'SELECT WHERE false';
  }
  // COPY is atomic with copy_from_atomic_enabled on (its default since v22.2), as PostgreSQL's always is.
  if (/^SET\s+copy_from_atomic_enabled\s*(?:=|TO)\s*'?(on|true)'?$/i.test(trimmed)) return 'SELECT WHERE false';
  if (/^CANCEL\s+SESSION\b/i.test(trimmed)) return cancelSession(trimmed);
  if (/\bpg_(?:backend_pid|cancel_backend|terminate_backend)\s*\(/i.test(trimmed)) throw crdbError('unknown function: pg_backend_pid and friends do not exist on CockroachDB', '42883');
  let text = translateShowSources(showAsViews(sql.replace(/\[SHOW session_id\]/gi, '(SELECT pg_backend_pid()::text AS session_id)')));
  const pg = await loadPgQuery();
  if (AOST.test(text)) {
    AOST.lastIndex = 0;
    const misplaced = lintSql(text, 'cockroachdb', pg).filter((f) => f.rule === 'aost-top-level-select' || f.rule === 'parse');
    if (misplaced.length > 0) throw crdbError(`AS OF SYSTEM TIME must be provided on a top-level statement (line ${misplaced[0]?.line})`, '0A000');
    if (state.inTransaction) throw crdbError('AS OF SYSTEM TIME cannot be used inside an explicit read-write transaction', '0A000');
    text = text.replace(AOST, '');
  }
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = pg.parseSync(text);
  } catch {
    return text;
  }
  checkInternals(tree, profile);
  if (state.shell) checkSafeUpdates(tree, profile);
  checkForceError(tree);
  for (const { stmt } of tree.stmts ?? []) {
    const explain = (stmt as Node).ExplainStmt as Node | undefined;
    if (explain && state.readOnly && profile.refusesExplainOfChangeReadOnly && MODIFYING.some((t) => findAll(explain.query, t).length > 0)) {
      throw crdbError('cannot execute EXPLAIN of a change in a read-only transaction', '25006');
    }
  }
  // CAST(x AS INT) and x::int are INT8 on CockroachDB.
  const casts = findAll(tree, 'TypeCast')
    .map((c) => c.typeName as Node)
    .filter((t) => JSON.stringify(t.names).includes('"int4"') && typeof t.location === 'number');
  const bytes = Buffer.from(text, 'utf8');
  const edits = casts.flatMap((t) => {
    const at = t.location as number;
    const word = /^(integer|int4|int)\b/i.exec(bytes.subarray(at, at + 8).toString('utf8'))?.[1];
    return word ? [{ at, length: word.length, with: 'int8' }] : [];
  });
  return laneAdmin(edits.length > 0 ? replaceAt(text, edits) : text);
}

interface PgPlan extends ScanNode {
  'Node Type': string;
  Operation?: string;
  'Plan Rows': number;
  Plans?: PgPlan[];
}

/**
 * PostgreSQL's plan drawn as CockroachDB's EXPLAIN (VERBOSE) draws one (shapes from
 * cockroachdb/cockroach pkg/sql/opt/exec/execbuilder/testdata/update and insert): `• name` per
 * node, children under `└── `, `estimated row count: N (missing stats)` on every node, 0 on the
 * writing node (its output without RETURNING), a VALUES list as `• values` with its `size`.
 */
function crdbTree(plan: PgPlan | undefined, indent = ''): string[] {
  if (!plan) return [];
  const writing = plan['Node Type'] === 'ModifyTable';
  const scan = crdbScan(plan);
  const name = scan?.name ?? (writing ? (plan.Operation ?? 'update').toLowerCase() : plan['Node Type'] === 'Values Scan' ? 'values' : plan['Node Type'].toLowerCase());
  const attribute = name === 'values' ? `size: 1 column, ${plan['Plan Rows']} rows` : `estimated row count: ${writing ? 0 : Math.round(plan['Plan Rows']).toLocaleString('en-US')} (missing stats)`;
  const children = plan.Plans ?? [];
  const bar = children.length > 0 ? '│ ' : '  ';
  return [`• ${name}`, ...[attribute, ...(scan?.attributes ?? [])].map((a) => `${bar}${a}`), ...children.flatMap((c) => ['│', ...crdbTree(c).map((l, i) => (i === 0 ? `└── ${l}` : `    ${l}`))])].map((l) => indent + l);
}

/** How a lane session behaves: the version emulated, the shell path, and an injected fault. */
export interface LaneOptions {
  profile?: LaneProfile;
  /** Statements as `cockroach sql` sends them: sql_safe_updates on, no COPY in a transaction. */
  shell?: boolean;
  /** Called with each statement before it runs; an error it returns is raised instead of running it. */
  fault?: (sql: string) => Error | undefined;
}

/** The runner's session on the lane: every statement goes through `translate`. */
export class LaneSession implements Db {
  private readonly state: LaneState;
  /** Schema changes that committed an open transaction first (autocommit_before_ddl), as sent. */
  readonly earlyCommits: string[] = [];
  private readonly scanGuard = new LaneScanGuard();
  constructor(
    private readonly inner: PgSession,
    private readonly options: LaneOptions = {},
  ) {
    this.state = { inTransaction: false, readOnly: false, profile: options.profile ?? DEFAULT_PROFILE, shell: options.shell ?? false };
  }

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const fault = this.options.fault?.(sql);
    if (fault) throw fault;
    const shown = this.scanGuard.show(sql);
    if (shown) return this.inner.query<R>(shown);
    // A batch as one simple query (src/runner/batch/batchStep.ts): BEGIN [PRIORITY ...]; statement; COMMIT.
    const batch = /^(BEGIN[^;\n]*);\n([\s\S]*)\nCOMMIT;$/.exec(sql);
    if (batch && params === undefined) {
      const begin = await translate(batch[1]!, this.state);
      const body = await translate(batch[2]!, { ...this.state, inTransaction: true });
      if (this.state.profile?.autocommitBeforeDdl && (await schemaChanges(body)).length > 0) throw crdbError('the lane does not split a one-query batch around a schema change', 'XXLAN');
      await this.scanGuard.refuse(body, undefined, (q, p) => this.inner.query(q, p));
      return this.inner.query<R>(`${begin};\n${body}\nCOMMIT;`);
    }
    const text = await translate(sql, this.state);
    if (this.state.inTransaction && this.state.profile?.autocommitBeforeDdl && params === undefined) {
      const changes = await schemaChanges(text);
      if (changes.length > 0) return this.autocommitBeforeDdl<R>(text, changes);
    }
    const word = text.trim().split(/\s+/)[0]?.toUpperCase();
    const verbose = /^\s*EXPLAIN\s+\(VERBOSE\)\s+/i.exec(text);
    if (verbose) {
      const plan = await this.inner.query<{ 'QUERY PLAN': { Plan: PgPlan }[] }>(`EXPLAIN (FORMAT JSON) ${text.slice(verbose[0].length)}`, params);
      return { rows: crdbTree(plan.rows[0]?.['QUERY PLAN'][0]?.Plan).map((info) => ({ info })) as R[], rowCount: 0 };
    }
    await this.scanGuard.refuse(text, params, (q, p) => this.inner.query(q, p));
    const result = await this.inner.query<R>(text, params);
    if (word === 'BEGIN') this.state.inTransaction = true;
    if (word === 'COMMIT' || word === 'ROLLBACK') this.state.inTransaction = false;
    return result;
  }

  /**
   * autocommit_before_ddl: "any schema change statement that is sent during an explicit
   * transaction will cause the transaction to commit before executing the schema change"
   * (https://www.cockroachlabs.com/docs/v25.1/session-variables). The statements before the first
   * schema change run in the transaction, which then commits; the rest run each on its own.
   */
  private async autocommitBeforeDdl<R>(text: string, statements: { sql: string; ddl: boolean }[]): Promise<QueryResult<R>> {
    let last: QueryResult<R> = { rows: [], rowCount: 0 };
    let rowCount = 0;
    for (const { sql, ddl } of statements) {
      if (ddl && this.state.inTransaction) {
        await this.inner.query('COMMIT');
        this.state.inTransaction = false;
        this.earlyCommits.push(sql);
      }
      last = await this.inner.query<R>(sql);
      rowCount += last.rowCount;
    }
    return { rows: last.rows, rowCount: text === '' ? 0 : rowCount };
  }

  async copyFrom(sql: string, data: string): Promise<number> {
    // cockroach sql refuses COPY inside an explicit transaction (cockroachdb/cockroach PR 79629,
    // cli_copy_in_txn); the server takes it from a driver (pkg/sql/copy_from.go).
    if (this.state.shell && this.state.inTransaction) throw crdbError('cockroach sql: COPY inside an explicit transaction is not supported by the shell', '0A000');
    const fault = this.options.fault?.(sql);
    if (fault) throw fault;
    return this.inner.copyFrom(sql, data);
  }

  async settings(values: Record<string, string>): Promise<void> {
    await this.inner.settings(this.scanGuard.take(values));
    if (values.default_transaction_read_only !== undefined) this.state.readOnly = values.default_transaction_read_only === 'on';
  }

  async useTraits(traits: ServerTraits): Promise<void> {
    const noState = { inTransaction: false, readOnly: false };
    const sessionIdQuery = await translate(traits.sessionIdQuery, noState);
    await this.inner.useTraits({ ...traits, sessionIdQuery, cancelStatement: (id) => cancelSession(traits.cancelStatement(id)) });
  }

  async reconnect(): Promise<void> {
    this.state.inTransaction = false;
    await this.inner.reconnect();
  }

  interrupt(): Promise<void> {
    return this.inner.interrupt();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The statements of `text` (already translated), each marked when it changes the schema; [] when none does. */
async function schemaChanges(text: string): Promise<{ sql: string; ddl: boolean }[]> {
  const pg = await loadPgQuery();
  const bytes = Buffer.from(text, 'utf8');
  let stmts: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[];
  try {
    stmts = pg.parseSync(text).stmts ?? [];
  } catch {
    return [];
  }
  const out = stmts.map((s) => {
    const at = s.stmt_location ?? 0;
    return { sql: (s.stmt_len ? bytes.subarray(at, at + s.stmt_len) : bytes.subarray(at)).toString('utf8').trim(), ddl: isSchemaChange(s.stmt) };
  });
  return out.some((s) => s.ddl) ? out : [];
}

/**
 * A client as diagnose takes it (src/diagnose/stageKit.ts `Db`), every statement checked and
 * translated by `translate` as the runner's session is.
 */
export function laneClient(client: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> }): { query: <R>(sql: string, params?: unknown[]) => Promise<{ rows: R[] }> } {
  const state: LaneState = { inTransaction: false, readOnly: false };
  return {
    async query<R>(sql: string, params?: unknown[]) {
      const text = await translate(sql, state);
      const result = await client.query(text, params);
      const word = text.trim().split(/\s+/)[0]?.toUpperCase();
      if (word === 'BEGIN') state.inTransaction = true;
      if (word === 'COMMIT' || word === 'ROLLBACK') state.inTransaction = false;
      return result as { rows: R[] };
    },
  };
}

/** Opens the runner's session to `target` through the lane. */
export async function openLaneSession(target: ConnectionTarget, options: LaneOptions = {}): Promise<LaneSession> {
  return new LaneSession(await openSession(target), options);
}

/** `restitch run` in this process, on the lane, with short waits; `sessions` collects the sessions it opened. */
export function runOnLane(
  dir: string,
  url: string,
  options: Partial<RunOptions> & { undo?: boolean } = {},
  ui: RunnerUi = silentUi,
  lane: LaneOptions & { sessions?: LaneSession[] } = {},
): Promise<RunReport> {
  return runRunbookInProcess(dir, url, { backoffMs: 50, waitInterval: 0.05, waitHold: 0.2, ...options }, ui, async (target) => {
    const session = await openLaneSession(target, lane);
    lane.sessions?.push(session);
    return session;
  });
}
