/**
 * A missing privilege (SQLSTATE 42501) as the GRANT that fixes it. PostgreSQL says
 * "permission denied for schema x" (aclchk.c, aclcheck_error); CockroachDB says "user u does not
 * have CREATE privilege on database x" (pkg/sql/authorization.go, CheckPrivilegeForUser).
 */

/** Matches both servers' wording: PostgreSQL's kind and name, or CockroachDB's user, privilege, kind and name. */
const POSTGRES = /permission denied for (schema|database|table|relation|sequence|view|materialized view|function) (\S+)/;
const COCKROACH = /user (\S+) does not have ([A-Z_ ]+?) privilege on (schema|database|table|relation|sequence|type|function) (\S+)/;

/** What each kind of object needs on PostgreSQL (which names the object, not the privilege). */
const NEEDED: Record<string, string> = {
  schema: 'USAGE (and CREATE on the working schema)',
  database: 'CREATE (the runner creates the working schema; or create that schema beforehand and grant CREATE on it)',
  table: 'SELECT and UPDATE (on a working table: SELECT, INSERT, UPDATE, DELETE)',
};

/** The SQLSTATE of an error the server sent (it carries a severity; Node's EPIPE is no SQLSTATE). */
export function sqlState(error: unknown): string | null {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string' ? e.code : null;
}

/**
 * For a 42501 error, the grant to ask the database owner for, e.g. "grant it: GRANT USAGE ON
 * SCHEMA work TO <user>"; null for any other error. `user` is the connecting user when known;
 * `readOnly` for a command that only reads (diagnose).
 */
export function missingGrant(error: unknown, user = '<user>', readOnly = false): string | null {
  if (sqlState(error) !== '42501') return null;
  const message = String((error as Error).message ?? '');
  const crdb = COCKROACH.exec(message);
  if (crdb) return `grant it: GRANT ${crdb[2]} ON ${crdb[3] === 'relation' ? 'TABLE' : crdb[3]!.toUpperCase()} ${crdb[4]} TO ${crdb[1]}`;
  const pg = POSTGRES.exec(message);
  if (!pg) return `the user lacks a privilege the runbook needs; grant it (GRANT ... TO ${user})`;
  const kind = pg[1] === 'relation' || pg[1] === 'view' || pg[1] === 'materialized view' ? 'table' : pg[1]!;
  const needed = readOnly && kind === 'table' ? 'SELECT (diagnose only reads)' : NEEDED[kind];
  const first = needed ? needed.split(' (')[0]!.replace(' and ', ', ') : '...';
  const object = kind === 'table' ? 'TABLE' : kind.toUpperCase();
  return `${user} needs ${needed ?? 'a privilege'} on ${kind} ${pg[2]}: GRANT ${first} ON ${object} ${pg[2]} TO ${user}`;
}
