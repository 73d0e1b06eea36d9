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
 * - `disallow_full_table_scans` and `large_full_scan_rows` (LaneScanGuard).
 */

import { fullScans, tableRows } from '../../src/acceptance/planScans.js';
import { loadPgQuery } from '../../src/core/where.js';

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

type Explain = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/**
 * `disallow_full_table_scans` and `large_full_scan_rows` on the lane: the session variables are
 * kept here (PostgreSQL does not know them), SHOW answers them, and while the first is on a
 * statement whose plan reads a whole table estimated larger than the second is refused before it
 * runs, with CockroachDB's error (54000; conn_executor_exec.go). A table counts as large by the
 * planner's estimate of its rows: the lane assumes statistics exist (CockroachDB collects them
 * when a table is created), where CockroachDB also counts a table without statistics as large
 * (`!stats.Available || stats.RowCount > LargeFullScanRows`, pkg/sql/opt/exec/execbuilder/relational.go).
 */
export class LaneScanGuard {
  private values: Record<string, string> = { disallow_full_table_scans: 'off', large_full_scan_rows: '0' };

  /** The settings PostgreSQL knows, the guard's kept here. */
  take(values: Record<string, string>): Record<string, string> {
    const rest = { ...values };
    for (const name of Object.keys(this.values)) {
      if (rest[name] !== undefined) this.values[name] = rest[name];
      delete rest[name];
    }
    return rest;
  }

  /** `SHOW disallow_full_table_scans` (or large_full_scan_rows) as a query PostgreSQL answers, else null. */
  show(statement: string): string | null {
    const name = /^SHOW\s+(\w+)\s*;?$/i.exec(statement.trim())?.[1]?.toLowerCase();
    return name && this.values[name] !== undefined ? `SELECT '${this.values[name]}'::text AS ${name}` : null;
  }

  /** Throws as CockroachDB would when the guard is on and a statement of `text` reads a whole large table. */
  async refuse(text: string, params: unknown[] | undefined, explain: Explain): Promise<void> {
    if (this.values.disallow_full_table_scans !== 'on') return;
    const limit = Number(this.values.large_full_scan_rows);
    let statements: string[];
    try {
      const bytes = Buffer.from(text, 'utf8');
      const parsed = (await loadPgQuery()).parseSync(text).stmts ?? [];
      const kinds = parsed.map((s) => Object.keys((s as { stmt?: object }).stmt ?? {})[0] ?? '');
      // A text that also defines tables (a step creating its working tables) is planned statement by
      // statement as it runs on CockroachDB; the lane cannot plan its later statements ahead: skipped.
      if (kinds.some((k) => !/^(Select|Insert|Update|Delete|Transaction)Stmt$/.test(k))) return;
      statements = parsed
        .filter((_s, i) => kinds[i] !== 'TransactionStmt')
        .map((s) => {
          const { stmt_location: at = 0, stmt_len: len } = s as { stmt_location?: number; stmt_len?: number };
          return bytes.subarray(at, len ? at + len : undefined).toString('utf8');
        });
    } catch {
      return;
    }
    for (const sql of statements) {
      const plan = await explain(`EXPLAIN (FORMAT JSON) ${sql}`, statements.length === 1 ? params : undefined);
      for (const scan of fullScans(plan.rows, { format: 'json' })) {
        // Qualified by a catalog read that cannot fail: a failed statement would abort the transaction.
        // Catalogs are left out: CockroachDB's are virtual tables, which the guard never refuses
        // ("only ... for non-virtual tables", pkg/sql/opt/exec/execbuilder/relational.go).
        const found = await explain(
          `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS q FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'crdb_internal') AND has_table_privilege(c.oid, 'SELECT')
  ORDER BY pg_table_is_visible(c.oid) DESC LIMIT 1`,
          [scan.table],
        );
        const table = found.rows[0]?.q;
        const size = typeof table === 'string' ? tableRows((await explain(`EXPLAIN (FORMAT JSON) SELECT * FROM ${table}`)).rows, { format: 'json' }) : null;
        if (size !== null && size > limit) {
          throw Object.assign(new Error(`query \`${sql.trim()}\` contains a full table/index scan which is explicitly disallowed`), {
            code: '54000',
            hint: 'try overriding the `disallow_full_table_scans` or increasing the `large_full_scan_rows` cluster/session settings',
          });
        }
      }
    }
  }
}
