/**
 * The lint rules: pure functions over one statement's libpg-query parse tree. Each rule names
 * the source that makes it a rule; `dialects` says where it applies.
 */
import { CRDB_RULES } from './crdbRules.js';
import type { Rule, RuleHit } from './rule.js';
import { AOST_MARKER } from './setAside.js';
import { MODIFYING, type Node, findAll, firstLocation, isModifying, names, walk, walkOutsideSubqueries } from './tree.js';

export type { Rule, RuleHit } from './rule.js';

/** Qualified column references inside `select` whose qualifier is not declared inside it. */
function isCorrelated(select: unknown): boolean {
  const declared = new Set<string>();
  for (const rv of findAll(select, 'RangeVar')) {
    declared.add(String((rv.alias as Node | undefined)?.aliasname ?? rv.relname));
  }
  for (const rs of findAll(select, 'RangeSubselect')) declared.add(String((rs.alias as Node | undefined)?.aliasname ?? ''));
  for (const cte of findAll(select, 'CommonTableExpr')) declared.add(String(cte.ctename));
  return findAll(select, 'ColumnRef').some((c) => {
    const parts = names(c.fields);
    return parts.length >= 2 && !declared.has(parts[parts.length - 2]!);
  });
}

/** Uncorrelated subqueries in an expression, not looking inside subqueries' own clauses. */
function uncorrelatedSubqueries(expr: unknown): Node[] {
  const out: Node[] = [];
  walkOutsideSubqueries(expr, (type, f) => {
    if (type === 'SubLink' && !isCorrelated(f.subselect)) out.push(f);
  });
  return out;
}

const isColumn = (n: unknown): boolean => !!n && typeof n === 'object' && 'ColumnRef' in (n as Node);
const COMPARISONS = new Set(['AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_IN', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN']);

/** Comparisons of a column with an uncorrelated subquery's result, in one WHERE (not in its subqueries). */
function keyComparisons(where: unknown): Node[] {
  const hits: Node[] = [];
  walkOutsideSubqueries(where, (type, f) => {
    if (type === 'SubLink') {
      if ((f.subLinkType === 'ANY_SUBLINK' || f.subLinkType === 'ALL_SUBLINK') && isColumn(f.testexpr) && !isCorrelated(f.subselect)) hits.push(f);
    } else if (type === 'A_Expr' && COMPARISONS.has(String(f.kind))) {
      const [l, r] = [f.lexpr, f.rexpr];
      if ((isColumn(l) && uncorrelatedSubqueries(r).length > 0) || (isColumn(r) && uncorrelatedSubqueries(l).length > 0)) hits.push(f);
    }
  });
  return hits;
}

export const RULES: readonly Rule[] = [
  {
    id: 'aost-top-level-select',
    source: 'https://www.cockroachlabs.com/docs/stable/as-of-system-time; cockroachdb/cockroach pkg/sql/exec_util.go (isAsOf), issue 71034',
    dialects: ['cockroachdb'],
    check: (stmt) => {
      const select = stmt.SelectStmt as Node | undefined;
      const legal = new Set<string>();
      const readOnly = select && select.op === 'SETOP_NONE' && !select.lockingClause && !isModifying(stmt);
      if (readOnly) for (const item of (select.fromClause as Node[] | undefined) ?? []) {
        const rv = item.RangeVar as Node | undefined;
        if (rv && String(rv.relname).startsWith(AOST_MARKER)) legal.add(String(rv.relname));
      }
      return findAll(stmt, 'RangeVar')
        .filter((rv) => String(rv.relname).startsWith(AOST_MARKER) && !legal.has(String(rv.relname)))
        .map((rv) => ({
          location: rv.location as number,
          reason: 'AS OF SYSTEM TIME is accepted only in the FROM clause of a top-level read-only SELECT (not in a UNION branch, a subquery, a CTE or a change); wrap the query: SELECT * FROM (...) AS s AS OF SYSTEM TIME ...',
        }));
    },
  },
  {
    id: 'aost-postgres',
    source: 'https://www.postgresql.org/docs/current/sql-select.html (no AS OF SYSTEM TIME)',
    dialects: ['postgres'],
    check: (stmt) =>
      findAll(stmt, 'RangeVar')
        .filter((rv) => String(rv.relname).startsWith(AOST_MARKER))
        .map((rv) => ({ location: rv.location as number, reason: 'AS OF SYSTEM TIME is CockroachDB syntax; PostgreSQL rejects it' })),
  },
  {
    id: 'dml-uncorrelated-subquery',
    source: 'https://github.com/cockroachdb/cockroach/issues/51820 (uncorrelated subqueries are planned once; the main query is not re-optimised with their result)',
    dialects: ['cockroachdb'],
    check: (stmt) => {
      if (!isModifying(stmt)) return [];
      const wheres: unknown[] = [];
      walk(stmt, (type, f) => {
        if ((type === 'SelectStmt' || type === 'UpdateStmt' || type === 'DeleteStmt') && f.whereClause) wheres.push(f.whereClause);
      });
      return wheres.flatMap(keyComparisons).map((e) => ({
        location: firstLocation(e),
        reason: 'a change compares a column with the result of an uncorrelated subquery: CockroachDB cannot use that value to constrain the scan, so it reads the whole table; join with the rows instead (a lookup join) or bind the value as a literal',
      }));
    },
  },
  {
    id: 'update-delete-where',
    source: 'https://www.cockroachlabs.com/docs/stable/set-vars (sql_safe_updates)',
    dialects: ['cockroachdb', 'postgres'],
    check: (stmt) =>
      [...findAll(stmt, 'UpdateStmt'), ...findAll(stmt, 'DeleteStmt')]
        .filter((s) => !s.whereClause)
        .map((s) => ({ location: (s.relation as Node).location as number, reason: 'UPDATE/DELETE without WHERE changes every row (cockroach sql refuses it with sql_safe_updates)' })),
  },
  {
    id: 'one-modification-per-table',
    source: 'https://www.cockroachlabs.com/docs/stable/known-limitations (multiple modification subqueries of the same table); https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING',
    dialects: ['cockroachdb', 'postgres'],
    check: (stmt) => {
      const seen = new Set<string>();
      const hits: RuleHit[] = [];
      for (const type of MODIFYING) {
        for (const s of findAll(stmt, type)) {
          const rel = s.relation as Node;
          const name = [rel.schemaname, rel.relname].filter(Boolean).join('.');
          if (seen.has(name)) hits.push({ location: rel.location as number, reason: `${name} is modified twice in one statement: CockroachDB refuses it by default, PostgreSQL leaves the outcome unpredictable` });
          seen.add(name);
        }
      }
      return hits;
    },
  },
  {
    id: 'pg-session-functions',
    source: 'https://www.cockroachlabs.com/docs/stable/cancel-session; https://www.cockroachlabs.com/docs/stable/show-sessions',
    dialects: ['cockroachdb'],
    check: (stmt) => [
      ...findAll(stmt, 'FuncCall')
        .filter((f) => ['pg_terminate_backend', 'pg_cancel_backend', 'pg_backend_pid'].includes(names(f.funcname).at(-1) ?? ''))
        .map((f) => ({ location: f.location as number, reason: `${names(f.funcname).join('.')} does not end or identify sessions on CockroachDB: use CANCEL SESSION / SHOW session_id` })),
      ...findAll(stmt, 'RangeVar')
        .filter((rv) => rv.relname === 'pg_stat_activity')
        .map((rv) => ({ location: rv.location as number, reason: 'pg_stat_activity is empty on CockroachDB: sessions are in crdb_internal.cluster_sessions' })),
    ],
  },
  ...CRDB_RULES,
];
