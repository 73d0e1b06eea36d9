/**
 * Rules for what a current CockroachDB refuses or computes differently from PostgreSQL, each
 * over one statement's parse tree.
 */
import { CRDB_INTERNAL_TABLES } from '../core/dialects/crdbInternalAllowList.js';
import { isIntegerExpr } from './integerExpr.js';
import type { Rule } from './rule.js';
import { type Node, findAll, names } from './tree.js';

const UNSAFE_SCHEMAS = new Set(['crdb_internal', 'system']);

export const CRDB_RULES: readonly Rule[] = [
  {
    id: 'int-division',
    source: 'cockroachdb/cockroach docs/generated/sql/operators.md (int / int -> decimal; int // int -> int); PR 6642',
    dialects: ['cockroachdb'],
    check: (stmt) =>
      findAll(stmt, 'A_Expr')
        .filter((e) => e.kind === 'AEXPR_OP' && names(e.name).join('.') === '/' && isIntegerExpr(e.lexpr) && isIntegerExpr(e.rexpr))
        .map((e) => ({
          location: e.location as number,
          reason: 'INT / INT is DECIMAL on CockroachDB (PostgreSQL truncates): written to an INT column it fails with 22P02; use // for integer division, or cast an operand to DECIMAL when a fraction is meant',
        })),
  },
  {
    id: 'crdb-internal-unsafe',
    source: 'cockroachdb/cockroach pkg/sql/unsafesql/unsafesql.go; PR 151887 (builtins refused at planning), PR 151804 (table allow-list); https://www.cockroachlabs.com/docs/v26.1/crdb-internal#access-control',
    dialects: ['cockroachdb'],
    check: (stmt) => [
      ...findAll(stmt, 'FuncCall')
        .filter((f) => names(f.funcname).length > 1 && UNSAFE_SCHEMAS.has(names(f.funcname).at(-2)!))
        .map((f) => ({
          location: f.location as number,
          reason: `${names(f.funcname).join('.')}() is refused with 42501 when allow_unsafe_internals is off (the default from v26.2), at planning, even in a CASE branch never taken: use SHOW statements, pg_has_role or information_schema instead`,
        })),
      ...findAll(stmt, 'RangeVar')
        .filter((rv) => UNSAFE_SCHEMAS.has(String(rv.schemaname ?? '')) && !(rv.schemaname === 'crdb_internal' && CRDB_INTERNAL_TABLES.has(String(rv.relname))))
        .map((rv) => ({
          location: rv.location as number,
          reason: `${String(rv.schemaname)}.${String(rv.relname)} is not on the allow-list of crdb_internal tables: it is refused with 42501 when allow_unsafe_internals is off (the default from v26.2); read a SHOW statement instead (e.g. SELECT ... FROM [SHOW SYSTEM GRANTS])`,
        })),
    ],
  },
  {
    id: 'for-update-where',
    // PR 121403's release note: with sql_safe_updates, SELECT FOR UPDATE and FOR SHARE without a
    // WHERE or a LIMIT return an error; the shell turns sql_safe_updates on (--safe-updates,
    // default true: PRs 17604, 17889).
    source: 'cockroachdb/cockroach PR 121403, issue 110131 (sql_safe_updates refuses SELECT ... FOR UPDATE/SHARE without WHERE or LIMIT, v24.1+); https://www.cockroachlabs.com/docs/stable/cockroach-sql (--safe-updates)',
    dialects: ['cockroachdb'],
    check: (stmt) =>
      findAll(stmt, 'SelectStmt')
        .filter((s) => Array.isArray(s.lockingClause) && s.lockingClause.length > 0 && !s.whereClause && !s.limitCount)
        .map((s) => ({
          location: firstFromLocation(s),
          reason: 'SELECT ... FOR UPDATE/SHARE without WHERE or LIMIT: cockroach sql (sql_safe_updates on) refuses it since v24.1; add a WHERE (e.g. the join condition) or a LIMIT',
        })),
  },
];

function firstFromLocation(select: Node): number | undefined {
  const rv = findAll(select.fromClause, 'RangeVar')[0];
  return rv ? (rv.location as number) : undefined;
}
