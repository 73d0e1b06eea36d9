/**
 * The lease: at most one run of one incident's runbooks at a time — forward and undo, every
 * version (they share the working tables; a forward and an undo run of one incident at once is
 * the worst case). CockroachDB has no advisory locks, so the lease is a row keyed by the incident
 * in `<work schema>.restitch_lease`, won through the row count of one statement on its primary
 * key: `INSERT ... ON CONFLICT DO NOTHING` (free), or a conditional UPDATE on the old run id and
 * a heartbeat older than the timeout the holder declared, or a holder whose process is gone from
 * this host (a dead run's lease). Both are single-row writes the
 * database serialises on the key (PostgreSQL re-checks an UPDATE's WHERE on the row it waited
 * for; CockroachDB runs them SERIALIZABLE), so two runs never both win. Every time is the
 * server's `now()`, never a client clock.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { checkError, RestitchError } from '../../core/errors.js';
import { sqlIdent, sqlQualified } from '../../core/sql.js';
import { tableExists, type Db } from '../connection/session.js';

export const LEASE_TABLE = 'restitch_lease';

/** The run holding the lease, as read back (numbers parsed: INT8 arrives as text from CockroachDB). */
export interface LeaseHolder {
  incident: string;
  runId: string;
  /** `incident` or `incident:undo`. */
  runbook: string;
  checksum: string;
  host: string;
  pid: number;
  step: number | null;
  startedAt: Date;
  heartbeatAt: Date;
  /** Seconds since the last heartbeat (server time). */
  ageSeconds: number;
  /** The holder's own timeout: others may take over once its heartbeat is this old. */
  timeoutMs: number;
}

/** This run lost its lease (another run took it over): it must stop without writing. */
export class LeaseLostError extends RestitchError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'LeaseLostError';
  }
}

// The age is computed by the server (its clock only), as FLOAT8 on both databases: extract
// returns numeric on PostgreSQL 14+ and FLOAT on CockroachDB.
const COLUMNS = `incident, run_id, runbook, checksum, host, pid, step, started_at, heartbeat_at, timeout_ms,
  CAST(extract(epoch FROM now() - heartbeat_at) AS FLOAT8) AS age_s`;

type Raw = Record<string, unknown>;

function holder(r: Raw): LeaseHolder {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    incident: String(r.incident),
    runId: String(r.run_id),
    runbook: String(r.runbook),
    checksum: String(r.checksum),
    host: String(r.host),
    pid: Number(r.pid),
    step: num(r.step),
    startedAt: new Date(r.started_at as string),
    heartbeatAt: new Date(r.heartbeat_at as string),
    ageSeconds: Number(r.age_s),
    timeoutMs: Number(r.timeout_ms),
  };
}

/** One line naming a holder: where, which process, since when, how fresh. */
export function describeHolder(h: LeaseHolder): string {
  const step = h.step === null ? '' : `, at step ${h.step}`;
  return `${h.runbook} on ${h.host} pid ${h.pid} (run ${h.runId.slice(0, 8)}), started ${h.startedAt.toISOString()}${step}, last heartbeat ${Math.round(h.ageSeconds)}s ago`;
}

/**
 * Whether the holder's process is gone: it ran on this host and its pid no longer exists
 * (`kill(pid, 0)` fails with ESRCH; EPERM means it exists under another user). A process on
 * another host cannot be seen from here: its heartbeat and its timeout decide.
 */
export function isGone(h: Pick<LeaseHolder, 'host' | 'pid'>, here = hostname()): boolean {
  if (h.host !== here || h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Whether the holder is still heartbeating, judged by the timeout it declared (`--lease-timeout`
 * of that run, not of the run asking), and its process not seen gone.
 */
export const isLive = (h: LeaseHolder): boolean => h.ageSeconds * 1000 < h.timeoutMs && !isGone(h);

/**
 * When `run` may take over the holder's lease: at once when its process is gone from this host,
 * else once its heartbeat is older than its own timeout. `status` and `run` both use this.
 */
export const takeoverAfter = (h: LeaseHolder): Date => (isGone(h) ? new Date() : new Date(h.heartbeatAt.getTime() + h.timeoutMs));

/** The lease table of one work schema, and who holds one incident's lease. Reads create nothing. */
export class LeaseTable {
  readonly table: string;
  private readonly schema: string;

  constructor(
    private readonly db: Db,
    workSchema: string,
    readonly incident: string,
  ) {
    this.table = sqlQualified(workSchema, LEASE_TABLE);
    this.schema = sqlIdent(workSchema);
  }

  async ensure(): Promise<void> {
    await this.db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
  incident text PRIMARY KEY,
  run_id text NOT NULL,
  runbook text NOT NULL,
  checksum text NOT NULL,
  host text NOT NULL,
  pid bigint NOT NULL,
  step bigint,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  timeout_ms bigint NOT NULL
)`);
  }

  /** The holder of this incident's lease, or null (also when the table does not exist yet). */
  async holder(): Promise<LeaseHolder | null> {
    if (!(await tableExists(this.db, this.table))) return null;
    const r = await this.db.query<Raw>(`SELECT ${COLUMNS} FROM ${this.table} WHERE incident = $1`, [this.incident]);
    return r.rows[0] ? holder(r.rows[0]) : null;
  }

  /**
   * One statement that locks the lease row of run `runIdSql` and divides by zero (SQLSTATE 22012),
   * aborting its transaction before COMMIT, when the row is gone (for a batch sent as one query).
   * A DECIMAL dividend: no integer division, whose type differs between the dialects (CockroachDB's
   * `INT / INT` is DECIMAL); a zero divisor raises 22012 on both.
   */
  lockStatement(incidentSql: string, runIdSql: string): string {
    return `SELECT 1.0 / count(*) AS lease_held FROM (SELECT run_id FROM ${this.table} WHERE incident = ${incidentSql} AND run_id = ${runIdSql} FOR UPDATE) AS held`;
  }

  /** SQL that is true while run `runIdParam` holds the lease (for journal writes). */
  heldCondition(incidentParam: string, runIdParam: string): string {
    return `EXISTS (SELECT 1 FROM ${this.table} WHERE incident = ${incidentParam} AND run_id = ${runIdParam})`;
  }
}

/** Who this run is, as recorded in the lease row. */
export interface LeaseIdentity {
  runbook: string;
  checksum: string;
  timeoutMs: number;
}

/** The outcome of trying to take the lease. */
export type Acquired = { runId: string; tookOverFrom: LeaseHolder | null; gone?: boolean };

/**
 * Takes the lease or refuses (exit 1, nothing written but the lease table) naming the holder.
 * A dead holder (heartbeat older than its own timeout, or its process gone from this host) is
 * taken over through a conditional UPDATE on its run id and that age, so of two runs taking over
 * at once only one matches.
 */
export async function acquireLease(table: LeaseTable, db: Db, me: LeaseIdentity, dir: string): Promise<Acquired> {
  const runId = randomUUID();
  const values = [table.incident, runId, me.runbook, me.checksum, hostname(), process.pid, me.timeoutMs];
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await db.query(
      `INSERT INTO ${table.table} (incident, run_id, runbook, checksum, host, pid, step, started_at, heartbeat_at, timeout_ms)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, now(), now(), $7) ON CONFLICT (incident) DO NOTHING`,
      values,
    );
    if (inserted.rowCount === 1) return { runId, tookOverFrom: null };
    const old = await table.holder();
    if (!old) continue; // released between the two statements: try again
    const gone = isGone(old);
    if (!gone && isLive(old)) {
      throw checkError(
        `another run holds this incident's lease: ${describeHolder(old)}; nothing was run. ` +
          `Let it finish ('restitch status ${dir}' shows it); if that process is gone, run again after ${takeoverAfter(old).toISOString()}, when its lease expires, ` +
          `or release it now with 'restitch release-lease ${dir}'`,
      );
    }
    // The holder's own timeout decides (the one it declared with --lease-timeout), not this run's.
    const taken = await db.query(
      `UPDATE ${table.table} SET run_id = $2, runbook = $3, checksum = $4, host = $5, pid = $6, step = NULL,
         started_at = now(), heartbeat_at = now(), timeout_ms = $7
       WHERE incident = $1 AND run_id = $8
         AND (CAST($9 AS BOOL) OR CAST(extract(epoch FROM now() - heartbeat_at) AS FLOAT8) * 1000 >= CAST(timeout_ms AS FLOAT8))`,
      [...values, old.runId, gone],
    );
    if (taken.rowCount === 1) return { runId, tookOverFrom: old, gone };
    // Another run took it over first, or the holder heartbeated: look again.
  }
  throw checkError(`could not take this incident's lease after 5 tries (other runs keep taking it); nothing was run`);
}
