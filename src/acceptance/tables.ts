/**
 * Which tables a statement reads and writes, read from its parse tree (libpg-query), and which
 * of them are the platform's. Pure: the acceptance run decides from these what to probe (the
 * privileges a step needs) and which checks can be evaluated before the steps before them ran.
 */
import { findAll, type Node } from '../lint/tree.js';

/** A privilege on a table, as GRANT names it. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** What one statement touches; table names lower case, `schema.name` when written qualified. */
export interface StatementTables {
  reads: string[];
  writes: { table: string; privilege: TablePrivilege }[];
  /** Tables it creates, alters or indexes (DDL: CREATE on their schema). */
  defines: string[];
}

const WRITE_TARGET: Record<string, TablePrivilege> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE' };
const DDL_TARGETS: Record<string, (n: Node) => unknown> = {
  CreateStmt: (n) => n.relation,
  IndexStmt: (n) => n.relation,
  AlterTableStmt: (n) => n.relation,
  CreateTableAsStmt: (n) => (n.into as Node | undefined)?.rel,
};

function relationName(rv: unknown): string | null {
  const r = rv as { schemaname?: string; relname?: string } | undefined;
  if (!r?.relname) return null;
  return (r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname).toLowerCase();
}

/** The tables of one parsed statement (`tree` is the statement node, e.g. `{ InsertStmt: {...} }`). */
export function statementTables(tree: Node): StatementTables {
  const ctes = new Set(findAll(tree, 'CommonTableExpr').map((c) => String(c.ctename ?? '').toLowerCase()));
  const all = findAll(tree, 'RangeVar').map(relationName).filter((n): n is string => n !== null && !(ctes.has(n) && !n.includes('.')));
  const out: StatementTables = { reads: [], writes: [], defines: [] };
  const targets: string[] = [];
  for (const [type, privilege] of Object.entries(WRITE_TARGET)) {
    for (const stmt of findAll(tree, type)) {
      const name = relationName(stmt.relation);
      if (name) {
        out.writes.push({ table: name, privilege });
        if (type === 'InsertStmt') targets.push(name);
      }
    }
  }
  for (const [type, target] of Object.entries(DDL_TARGETS)) {
    for (const stmt of findAll(tree, type)) {
      const name = relationName(target(stmt));
      if (name) {
        targets.push(name);
        out.defines.push(name);
      }
    }
  }
  for (const copy of findAll(tree, 'CopyStmt')) {
    const name = relationName(copy.relation);
    if (name && copy.is_from === true) {
      out.writes.push({ table: name, privilege: 'INSERT' });
      targets.push(name);
    }
  }
  // A target written is read only where it also appears elsewhere (a subquery, UPDATE's WHERE).
  const rest = [...all];
  for (const t of targets) {
    const at = rest.indexOf(t);
    if (at >= 0) rest.splice(at, 1);
  }
  out.reads = [...new Set([...rest, ...out.writes.filter((w) => w.privilege !== 'INSERT').map((w) => w.table)])];
  return out;
}

/** Relation names after FROM / JOIN, for a statement PostgreSQL's parser cannot read (a CockroachDB-only form). */
export function tablesByPattern(sql: string): string[] {
  const names = [...sql.matchAll(/\b(?:FROM|JOIN)\s+((?:[a-z_][\w$]*\.)?[a-z_][\w$]*)\b/gi)].map((m) => (m[1] ?? '').toLowerCase());
  return [...new Set(names)];
}

/** The name without its schema. */
export function baseName(table: string): string {
  return table.slice(table.lastIndexOf('.') + 1);
}

/**
 * A table of the platform (not restitch's): customer_events, customer_attributes and the legacy
 * cdp_* tables, unqualified or in `public`, never in the work schema.
 */
export function isPlatformTable(table: string, workSchema: string): boolean {
  const dot = table.lastIndexOf('.');
  const schema = dot < 0 ? '' : table.slice(0, dot);
  if (schema !== '' && (schema !== 'public' || schema === workSchema.toLowerCase())) return false;
  const name = baseName(table);
  return name === 'customer_events' || name === 'customer_attributes' || name.startsWith('cdp_');
}

/** Catalog relations whose rows change when a step creates or alters a table. */
export function isTableCatalog(table: string): boolean {
  return /^information_schema\./.test(table) || /^(pg_catalog\.)?pg_(class|attribute|namespace|index|indexes|tables)$/.test(table);
}
