/**
 * What a CockroachDB version refuses, read from a statement's parse tree (libpg-query), for the
 * lane (cockroachLane.ts) under a version profile (laneProfiles.ts).
 */
import { findAll, type Node } from '../../src/lint/tree.js';
import { CRDB_INTERNAL_BUILTINS, CRDB_INTERNAL_TABLES, type LaneProfile } from './laneProfiles.js';

/** An error as CockroachDB would raise it: message and SQLSTATE. */
export function crdbError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const names = (list: unknown): string[] => ((list as Node[] | undefined) ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? ''));

/**
 * With allow_unsafe_internals off, a crdb_internal builtin or table outside the allow-lists is
 * refused when the statement is planned: wherever it stands, a CASE branch never taken included
 * (cockroachdb/cockroach PR 151887 for builtins, PR 151804 for tables; pkg/sql/unsafesql:
 * ErrUnsafeTableAccess, 42501 "Access to crdb_internal and system is restricted").
 */
export function checkInternals(tree: unknown, profile: LaneProfile): void {
  if (profile.allowUnsafeInternals) return;
  const refuse = (what: string) => crdbError(`Access to crdb_internal and system is restricted (${what}): SET allow_unsafe_internals = on to override`, '42501');
  for (const call of findAll(tree, 'FuncCall')) {
    const [schema, name] = names(call.funcname);
    if (schema === 'crdb_internal' && !CRDB_INTERNAL_BUILTINS.has(name ?? '')) throw refuse(`crdb_internal.${name}()`);
  }
  for (const table of findAll(tree, 'RangeVar')) {
    if (table.schemaname === 'crdb_internal' && !CRDB_INTERNAL_TABLES.has(String(table.relname))) throw refuse(`crdb_internal.${String(table.relname)}`);
    if (table.catalogname === 'system' || table.schemaname === 'system') throw refuse(`system.${String(table.relname)}`);
  }
}

/**
 * sql_safe_updates, on in `cockroach sql` (https://www.cockroachlabs.com/docs/stable/cockroach-sql):
 * UPDATE and DELETE without WHERE are refused; from v24.1 so is a SELECT clause that locks rows
 * (FOR UPDATE/SHARE) with neither WHERE nor LIMIT (cockroachdb/cockroach PR 121403, issue 110131),
 * a subquery's own clause included.
 */
export function checkSafeUpdates(tree: unknown, profile: LaneProfile): void {
  const rejected = (what: string) => crdbError(`rejected (sql_safe_updates = true): ${what}`, '01000');
  for (const type of ['UpdateStmt', 'DeleteStmt']) {
    if (findAll(tree, type).some((s) => s.whereClause === undefined)) throw rejected(`${type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} without WHERE clause`);
  }
  if (!profile.safeUpdatesLocking) return;
  for (const select of findAll(tree, 'SelectStmt')) {
    const locks = (select.lockingClause as unknown[] | undefined) ?? [];
    if (locks.length > 0 && select.whereClause === undefined && select.limitCount === undefined) throw rejected('SELECT FOR UPDATE without WHERE or LIMIT clause');
  }
}

const DATA_STATEMENTS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'CopyStmt', 'VariableSetStmt', 'VariableShowStmt', 'TransactionStmt', 'ExplainStmt']);

/** The statement (one `stmt` of a parse) changes the schema: CREATE, ALTER, DROP, ... */
export function isSchemaChange(stmt: unknown): boolean {
  const kind = Object.keys((stmt as Node | undefined) ?? {})[0] ?? '';
  return kind !== '' && !DATA_STATEMENTS.has(kind);
}
