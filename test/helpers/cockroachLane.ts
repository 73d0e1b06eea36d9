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
 *
 * In front of the runner's session (LaneSession), each CockroachDB statement is first checked to
 * be legal where it stands, then translated: `SELECT version()` answers CockroachDB, `[SHOW
 * session_id]`, `CANCEL SESSION`, `BEGIN TRANSACTION PRIORITY ...`, `BEGIN TRANSACTION AS OF SYSTEM
 * TIME` (read-only; follower_read_timestamp() or a constant only), `SET
 * default_transaction_priority`, `AS OF SYSTEM TIME` (only in the FROM clause of a top-level
 * read-only SELECT, outside explicit transactions: cockroachdb/cockroach issue 71034, isAsOf in
 * pkg/sql/exec_util.go), casts to INT become INT8, and EXPLAIN of a change is refused in a
 * read-only session as CockroachDB did before v25.3 (cockroachdb/cockroach issue 103754, fixed
 * by PR 149449).
 */
import { loadPgQuery } from '../../src/core/where.js';
import type { ServerTraits } from '../../src/core/dialects/index.js';
import { lintSql } from '../../src/lint/lintSql.js';
import { findAll, type Node } from '../../src/lint/tree.js';
import type { ConnectionTarget } from '../../src/runner/connection.js';
import { runInProcess as runRunbookInProcess } from '../../src/runner/runInProcess.js';
import { openSession, type Db, type PgSession, type QueryResult } from '../../src/runner/session.js';
import type { RunOptions, RunReport } from '../../src/runner/types.js';
import { silentUi, type RunnerUi } from '../../src/runner/ui.js';

/** What `SELECT version()` answers on the lane. */
export const LANE_VERSION = 'CockroachDB CCL v24.1.0 (x86_64-pc-linux-gnu, built 2024/05/13 00:00:00, go1.22.2)';

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
CREATE SCHEMA crdb_internal;
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
WHERE a.backend_type = 'client backend'
UNION ALL
SELECT 1, c.session_id, 'CLOSED', c.user_name, '', c.application_name, '', '', c.session_start, NULL, c.session_end, 0
FROM crdb_internal.closed_sessions AS c;
GRANT USAGE ON SCHEMA crdb_internal TO PUBLIC;
GRANT SELECT ON crdb_internal.cluster_sessions TO PUBLIC;
CREATE FUNCTION follower_read_timestamp() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT now() - interval '4.8 seconds' $$;
`;

/** An error as CockroachDB would raise it: message and SQLSTATE. */
function crdbError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const AOST = /\s+AS\s+OF\s+SYSTEM\s+TIME\s+(?:'(?:[^']|'')*'|[A-Za-z_][\w.]*\s*\(\s*\)|-?\d+(?:\.\d+)?)/gi;
const MODIFYING = ['InsertStmt', 'UpdateStmt', 'DeleteStmt'];

/** `CANCEL SESSION '<id>'` (https://www.cockroachlabs.com/docs/stable/cancel-session) for PostgreSQL. */
function cancelSession(statement: string): string {
  const id = /^CANCEL\s+SESSION\s+'([^']*)'$/i.exec(statement.trim())?.[1];
  if (id === undefined || !/^\d+$/.test(id)) throw crdbError(`CANCEL SESSION needs a session id string: ${statement}`, '22023');
  return `SELECT pg_cancel_backend(${id}::int)`;
}

/** Session state the translation depends on. */
interface LaneState {
  inTransaction: boolean;
  readOnly: boolean;
}

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
  if (/^SELECT version\(\)( AS version)?$/i.test(trimmed)) return `SELECT ${`'${LANE_VERSION}'`} AS version`;
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
  if (/^CANCEL\s+SESSION\b/i.test(trimmed)) return cancelSession(trimmed);
  if (/\bpg_(?:backend_pid|cancel_backend|terminate_backend)\s*\(/i.test(trimmed)) throw crdbError('unknown function: pg_backend_pid and friends do not exist on CockroachDB', '42883');
  let text = sql.replace(/\[SHOW session_id\]/gi, '(SELECT pg_backend_pid()::text AS session_id)');
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
  for (const { stmt } of tree.stmts ?? []) {
    const explain = (stmt as Node).ExplainStmt as Node | undefined;
    if (explain && state.readOnly && MODIFYING.some((t) => findAll(explain.query, t).length > 0)) {
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
  return edits.length > 0 ? replaceAt(text, edits) : text;
}

/** The runner's session on the lane: every statement goes through `translate`. */
export class LaneSession implements Db {
  private readonly state: LaneState = { inTransaction: false, readOnly: false };
  constructor(private readonly inner: PgSession) {}

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const text = await translate(sql, this.state);
    const word = text.trim().split(/\s+/)[0]?.toUpperCase();
    const result = await this.inner.query<R>(text, params);
    if (word === 'BEGIN') this.state.inTransaction = true;
    if (word === 'COMMIT' || word === 'ROLLBACK') this.state.inTransaction = false;
    return result;
  }

  async settings(values: Record<string, string>): Promise<void> {
    await this.inner.settings(values);
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
export async function openLaneSession(target: ConnectionTarget): Promise<LaneSession> {
  return new LaneSession(await openSession(target));
}

/** `restitch run` in this process, on the lane, with short waits. */
export function runOnLane(dir: string, url: string, options: Partial<RunOptions> & { undo?: boolean } = {}, ui: RunnerUi = silentUi): Promise<RunReport> {
  return runRunbookInProcess(dir, url, { backoffMs: 50, waitInterval: 0.05, ...options }, ui, openLaneSession);
}
