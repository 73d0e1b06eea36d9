/**
 * What the CockroachDB lane answers for the acceptance run (src/acceptance), kept apart from the
 * lane's translation of the runbooks themselves:
 * - `[SHOW CLUSTER SESSIONS]` as a source of rows: crdb_internal.cluster_sessions, which the lane
 *   emulates (https://www.cockroachlabs.com/docs/stable/show-sessions: the same columns).
 * - `[SHOW GRANTS ON TABLE|SCHEMA|DATABASE x]`: one row per grantee and privilege (database_name,
 *   schema_name, table_name, grantee, privilege_type, is_grantable), from PostgreSQL's ACLs, the
 *   owner's included (https://www.cockroachlabs.com/docs/stable/show-grants).
 * - A plan's scans as CockroachDB's EXPLAIN draws them: `• scan` with `table: <table>@<index>` and
 *   `spans: FULL SCAN` for a whole-table read, else its spans (emitNodeAttributes in
 *   cockroachdb/cockroach pkg/sql/opt/exec/explain/emit.go).
 */

const OWNER_ACL = (acl: string, kind: string, owner: string) => `aclexplode(coalesce(${acl}, acldefault('${kind}', ${owner})))`;
const GRANTEE = "CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee)::text END AS grantee, a.privilege_type::text AS privilege_type, a.is_grantable";

function showGrants(kind: string, name: string): string {
  const literal = `'${name.replace(/"/g, '').replace(/'/g, "''")}'`;
  switch (kind.toUpperCase()) {
    case 'TABLE':
      return `(SELECT current_database()::text AS database_name, n.nspname::text AS schema_name, c.relname::text AS table_name, ${GRANTEE}
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace, ${OWNER_ACL('c.relacl', 'r', 'c.relowner')} AS a
  WHERE c.oid = to_regclass(${literal}))`;
    case 'SCHEMA':
      return `(SELECT current_database()::text AS database_name, n.nspname::text AS schema_name, ${GRANTEE}
  FROM pg_namespace AS n, ${OWNER_ACL('n.nspacl', 'n', 'n.nspowner')} AS a WHERE n.nspname = ${literal})`;
    default:
      return `(SELECT d.datname::text AS database_name, ${GRANTEE}
  FROM pg_database AS d, ${OWNER_ACL('d.datacl', 'd', 'd.datdba')} AS a WHERE d.datname = ${literal})`;
  }
}

/** `text` with the SHOW statements used as row sources rewritten for PostgreSQL. */
export function translateShowSources(text: string): string {
  return text
    .replace(/\[SHOW CLUSTER SESSIONS\]/gi, 'crdb_internal.cluster_sessions')
    .replace(/\[SHOW GRANTS ON (TABLE|SCHEMA|DATABASE) ([^\]\s]+)\]/gi, (_all, kind: string, name: string) => showGrants(kind, name));
}

/** A PostgreSQL plan node, as far as its scan is concerned. */
export interface ScanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
}

/** The node's name and attribute lines as CockroachDB draws a scan, or null for a node that is not one. */
export function crdbScan(plan: ScanNode): { name: string; attributes: string[] } | null {
  const table = plan['Relation Name'];
  if (plan['Node Type'] === 'Seq Scan' && table) return { name: 'scan', attributes: [`table: ${table}@${table}_pkey`, 'spans: FULL SCAN'] };
  if (/^(Index|Index Only|Bitmap Index) Scan$/.test(plan['Node Type']) && plan['Index Name']) {
    return { name: 'scan', attributes: [`table: ${table ?? plan['Index Name']}@${plan['Index Name']}`, 'spans: 1 span'] };
  }
  return null;
}
