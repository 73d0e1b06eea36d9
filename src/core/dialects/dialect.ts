import type { DialectName, SchemaProfile } from '../types.js';

/**
 * A SQL clause that PostgreSQL's parser does not know, set aside (replaced) before a file
 * is parsed with libpg-query to prove the rest of it is well-formed.
 */
export interface ForeignClause {
  /** What the clause is, for test names and messages. */
  name: string;
  pattern: RegExp;
  replacement: string;
}

/**
 * What differs between the databases, as data. Templates read these flags; a scenario's
 * steps are written once. Each flag says what it changes in the output.
 */
export interface Dialect {
  name: DialectName;
  /** Human name for tables and headers. */
  label: string;
  /** Table layouts this dialect's runbooks can address. */
  schemas: readonly SchemaProfile[];
  /** The shell a person pastes into, how it is started, and how a bundle stops in it. */
  console: {
    name: string;
    command: string;
    /** Lines a bundle starts with, so the shell stops at the first error however it was started. */
    preamble: readonly string[];
    /** A text expression that raises an error whose message is the text expression `message`, only when evaluated. */
    raise: (message: string) => string;
    /**
     * The console takes `COPY ... FROM STDIN` inside an explicit transaction (psql). When false
     * (`cockroach sql` refuses it: cockroachdb/cockroach PR 79629), the bundle and the by-hand
     * line run the load step's statements one after the other; the check after the step proves the
     * table holds exactly the ids file, so a load cut short stops the runbook there. The runner
     * talks to the server, not the shell, and keeps the step in one transaction either way.
     */
    copyInTransaction: boolean;
  };
  /**
   * `pg_stat_activity` shows every session and `pg_terminate_backend(pid)` ends one.
   * When false (CockroachDB), sessions are listed by `SHOW CLUSTER SESSIONS`
   * and ended with `CANCEL SESSION`. Chooses the `cps-sessions` partial's wording.
   */
  hasPgStatActivity: boolean;
  /**
   * The console rejects UPDATE/DELETE without WHERE, and from v24.1 SELECT ... FOR UPDATE/SHARE
   * with neither WHERE nor LIMIT (CockroachDB `sql_safe_updates`, on in `cockroach sql`;
   * cockroachdb/cockroach PR 121403). Templates always filter, so the setting is never turned off;
   * the lane's shell path (test/helpers/cockroachShell.ts) refuses what it refuses.
   */
  rejectsUnfilteredWrites: boolean;
  /**
   * A clause that makes a read-only query read slightly stale data without contending with
   * writers, or '' where there is none. Used only in scoping reads taken before anything
   * changes, never in a check that verifies a change (it would read the past).
   */
  staleReadClause: string;
  /**
   * Transactions can ask for HIGH priority (`BEGIN TRANSACTION PRIORITY HIGH`). Only when the
   * runbook is generated with `--priority high` do batch steps carry `restitch:priority high`,
   * which the runner applies per batch transaction (never session-wide).
   */
  supportsTransactionPriority: boolean;
  /** Rows per batch when `--batch-size` is not given. */
  defaultBatchSize: number;
  /**
   * How far the runner's adaptive batch size may grow above the runbook's (its default
   * `--batch-max` is this many times the generated size); it may always shrink to a tenth.
   */
  batchGrowth: number;
  /**
   * The planner uses the value of an uncorrelated subquery to constrain an index scan
   * (PostgreSQL: an InitPlan parameter becomes an Index Cond). When false (CockroachDB plans
   * such subqueries once and never re-optimises the main query with their result), batches
   * join the batch CTE for a lookup join and start at a literal floor the runner binds.
   */
  subqueryResultsConstrainScans: boolean;
  /**
   * The events backup records where each event lies in customer_events (column `ord`, PostgreSQL's
   * `ctid` as it is, type tid: block number and line pointer, partial `position`), and the batches
   * over that backup walk `(ord, id)`: each batch touches neighbouring heap pages instead of pages
   * all over the table (UUID order). The backup is a snapshot, so the walk and its resume stay
   * exact whatever moves in customer_events later. When false (CockroachDB) the backup has no
   * `ord` and batches walk the primary key: there the primary key order is the storage order.
   */
  eventsInStorageOrder: boolean;
  /**
   * The multi-entity export is one statement through the GIN index on customer_events.identifiers:
   * the entities' identifiers, gathered by a subquery into one array, become the Index Cond of a
   * bitmap index scan (`identifiers && $1`), so only the events that share an identifier are read,
   * in the order they lie on disk. One transaction over them blocks no writer (MVCC), and the
   * backup's keys are built after it is loaded (workTables `keysAfterLoad`): one sort each instead
   * of an index insert per event in random order. When false (CockroachDB) the export reads the
   * inverted index one identifier of the entities after another, paged by id, in batches of their
   * own short transactions (src/core/identifierWalk.ts): a subquery's value never constrains a scan
   * there (cockroachdb/cockroach issue 51820), so the runner binds each identifier as a literal;
   * `&&` against another table's column cannot drive an inverted join (issue 81643), while `@>`
   * with a constant is a constrained inverted scan; and one large transaction meets retries and
   * contention (https://www.cockroachlabs.com/docs/stable/bulk-update-data). The export check and
   * the one-shot guard join the identifiers with `@>` (partial chosen-events).
   */
  exportsThroughIdentifierIndex: boolean;
  /**
   * Bytes a backup row takes beside the text of its identifiers (and, for an entity, of its id):
   * per event row and per entity row (tuple, keys and index entries), and per identifier (its
   * length word). The scope and export checks print the size of each backup from these, so that
   * it surprises no one (runbook.md: "Disk and database during the window").
   */
  backupRowBytes: { event: number; entity: number; identifier: number };
  /**
   * A schema change may share an explicit transaction with data statements (PostgreSQL). When false
   * (CockroachDB: autocommit_before_ddl, on by default from v25.1, commits the open transaction
   * before a schema change), the runner runs a change step's leading schema changes each on its
   * own, then its data statements and the lease's confirmation in one transaction.
   */
  transactionalDdl: boolean;
  /**
   * The operator that divides one integer by another into an integer: `/` on PostgreSQL. On
   * CockroachDB `INT / INT` is DECIMAL and `//` is integer division (cockroachdb/cockroach
   * docs/generated/sql/operators.md; `//` added by PR 6642): a quotient of `/` written to an INT8
   * column fails there with 22P02. Never write `/` between integers in SQL for both dialects.
   */
  intDiv: '/' | '//';
  /** `DELETE ... LIMIT n` exists (CockroachDB only). Templates do not rely on it. */
  supportsDeleteLimit: boolean;
  /** Clauses set aside before parsing with libpg-query (see ForeignClause). */
  foreignClauses: readonly ForeignClause[];
  /** Comment lines (without `-- `) telling a console user how to run a batch step by hand. */
  batchByHand: readonly string[];
  /** What the runner needs to drive a live server of this dialect. */
  server: ServerTraits;
}

/**
 * How a session proves that it sees other users' sessions. The CPS guard counts 'Meiro CPS'
 * sessions, which belong to another database user: a session that sees only its own would find
 * none and pass while CPS runs.
 */
export interface SessionVisibility {
  /** A boolean SQL expression, true when this session sees every user's sessions. */
  condition: string;
  /** The grant to ask for, with `<user>` where the user name goes. */
  grant: string;
}

/**
 * How the dry run reads the planner's estimate of the rows a change touches. The node that
 * writes (PostgreSQL's ModifyTable, CockroachDB's `update`/`insert`/...) estimates its own output,
 * which is no rows without RETURNING; the rows it writes are the rows its input yields.
 */
export interface ExplainEstimate {
  /** EXPLAIN with the options that print a row estimate on every plan node (without executing). */
  prefix: string;
  /**
   * `json`: one JSON plan tree (PostgreSQL's FORMAT JSON: `Node Type`, `Plan Rows`, `Plans`).
   * `tree`: one text line per row, `• name` starting a node and `estimated row count: N` its
   * attribute lines, children indented deeper (CockroachDB's EXPLAIN).
   */
  format: 'json' | 'tree';
  /** Names of the plan nodes that write rows. */
  writeNodes: readonly string[];
}

/** How the runner recognises, guards and interrupts a server of one dialect. */
export interface ServerTraits {
  /** Matches `SELECT version()` of this server and not of the other dialect's. */
  versionPattern: RegExp;
  /** One row with `n`: 'Meiro CPS' sessions connected now, this session excluded. */
  cpsSessionsQuery: string;
  /**
   * Capability flag: null where every user sees every session's application_name (so the CPS
   * guard needs no proof); otherwise how to prove it, which the preflight checks (a row that
   * fails naming the grant) and the runner checks before every CPS guard (refusing, naming it).
   */
  sessionVisibility: SessionVisibility | null;
  /** One row with `id` (text): this session's id, to interrupt it from a second connection. */
  sessionIdQuery: string;
  /** The statement that ends the running statement of session `idLiteral` (a SQL literal). */
  cancelStatement: (idLiteral: string) => string;
  /** Statements that start a transaction; `priorityHigh` for steps that ask for it. */
  begin: (priorityHigh: boolean) => string;
  /**
   * Session settings the runner sets after every connect and proves with SHOW, refusing to go on
   * when the server does not keep them (name → value as SHOW prints it).
   */
  requiredSettings: Readonly<Record<string, string>>;
  /** How the dry run asks for and reads the rows a change would write. */
  explain: ExplainEstimate;
  /**
   * Capability flag: a read-only query of one row with `statement_workers` (the processes the
   * server lets one statement add beside its own) and `free_connections`, from which `restitch
   * run` chooses its default `--parallel` (src/runner/defaultParallel.ts); null: one session.
   */
  parallelProbe: string | null;
}
