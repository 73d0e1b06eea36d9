/**
 * The grants a runbook's steps need, and the read-only query that proves each one. Pure.
 *
 * - PostgreSQL: has_table_privilege / has_schema_privilege / has_database_privilege (owner,
 *   roles and PUBLIC included; https://www.postgresql.org/docs/current/functions-info.html).
 * - CockroachDB: the rows of `SHOW GRANTS ON TABLE|SCHEMA|DATABASE` (grantee, privilege_type)
 *   granted to the user, to public or to a role it is a member of (pg_has_role), ALL included
 *   (https://www.cockroachlabs.com/docs/stable/show-grants). No crdb_internal builtin: they are
 *   refused where allow_unsafe_internals is off (pkg/sql/unsafesql).
 */
import { sqlIdent, sqlLiteral } from '../core/sql.js';
import type { DialectName } from '../core/types.js';
import type { TablePrivilege } from './tables.js';

/** One grant the run needs, and the steps that need it. */
export interface PrivilegeNeed {
  /** `SELECT`, ... on a table, or `CREATE` on the work schema. */
  privilege: TablePrivilege | 'CREATE';
  /** The table, or the schema for CREATE. */
  on: string;
  kind: 'table' | 'schema';
  steps: number[];
}

/** Adds `step`'s need for `privilege` on `on`, merging with what is there. */
export function addNeed(needs: PrivilegeNeed[], privilege: PrivilegeNeed['privilege'], on: string, kind: PrivilegeNeed['kind'], step: number): void {
  const same = needs.find((n) => n.privilege === privilege && n.on === on && n.kind === kind);
  if (!same) needs.push({ privilege, on, kind, steps: [step] });
  else if (!same.steps.includes(step)) same.steps.push(step);
}

const qualified = (name: string) => name.split('.').map(sqlIdent).join('.');

/** CockroachDB: some row of a SHOW GRANTS grants `privilege` (or ALL) to the user, public or one of its roles. */
function crdbGranted(show: string, privilege: string): string {
  return `SELECT count(*) > 0 AS ok, current_user AS who FROM [${show}] AS g
WHERE g.privilege_type IN (${sqlLiteral(privilege)}, 'ALL')
  AND CASE WHEN g.grantee IN (current_user, 'public') THEN true ELSE pg_has_role(current_user, g.grantee, 'MEMBER') END`;
}

/** The query proving one need: one row with `ok` (boolean) and `who` (the user); parameters in `params`. */
export function privilegeQuery(dialect: DialectName, need: PrivilegeNeed, schemaExists: boolean, database: string): { sql: string; params?: unknown[] } {
  if (dialect === 'postgres') {
    if (need.kind === 'table') return { sql: 'SELECT has_table_privilege($1, $2) AS ok, current_user AS who', params: [qualified(need.on), need.privilege] };
    return schemaExists
      ? { sql: "SELECT has_schema_privilege($1, 'CREATE') AS ok, current_user AS who", params: [need.on] }
      : { sql: "SELECT has_database_privilege(current_database(), 'CREATE') AS ok, current_user AS who" };
  }
  if (need.kind === 'table') return { sql: crdbGranted(`SHOW GRANTS ON TABLE ${qualified(need.on)}`, need.privilege) };
  return { sql: crdbGranted(schemaExists ? `SHOW GRANTS ON SCHEMA ${sqlIdent(need.on)}` : `SHOW GRANTS ON DATABASE ${sqlIdent(database)}`, 'CREATE') };
}

/** The statement that grants a missing need to `who`. */
export function grantFor(need: PrivilegeNeed, who: string, schemaExists: boolean, database: string): string {
  if (need.kind === 'table') return `GRANT ${need.privilege} ON ${qualified(need.on)} TO ${sqlIdent(who)};`;
  return schemaExists ? `GRANT CREATE ON SCHEMA ${sqlIdent(need.on)} TO ${sqlIdent(who)};` : `GRANT CREATE ON DATABASE ${sqlIdent(database)} TO ${sqlIdent(who)};`;
}
