/** Small walkers over libpg-query parse trees (plain JSON objects). */

/** A parse-tree node: `{ NodeType: { ...fields } }` or a bare field object. */
export type Node = Record<string, unknown>;

/**
 * Calls `visit(type, fields)` for every typed node under `node`, depth first; `into(type)` false
 * visits a node but not what is inside it.
 */
export function walk(node: unknown, visit: (type: string, fields: Node) => void, into: (type: string) => boolean = () => true): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, into);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (/^[A-Z]/.test(key) && value && typeof value === 'object' && !Array.isArray(value)) visit(key, value as Node);
      if (into(key)) walk(value, visit, into);
    }
  }
}

/**
 * Like `walk`, but stops at subqueries: a SubLink is visited, what is inside it is not (its own
 * clauses belong to another query level).
 */
export function walkOutsideSubqueries(node: unknown, visit: (type: string, fields: Node) => void): void {
  walk(node, visit, (key) => key !== 'SubLink');
}

/** Every typed node of `type` under `node`. */
export function findAll(node: unknown, type: string): Node[] {
  const out: Node[] = [];
  walk(node, (t, fields) => {
    if (t === type) out.push(fields);
  });
  return out;
}

/** The smallest `location` found anywhere under `node`, or undefined. */
export function firstLocation(node: unknown): number | undefined {
  let best: number | undefined;
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === 'location' && typeof v === 'number' && v >= 0) best = best === undefined ? v : Math.min(best, v);
        else visit(v);
      }
    }
  };
  visit(node);
  return best;
}

/** The dotted name of a ColumnRef or FuncCall name list (`["pg_catalog","now"]` → "pg_catalog.now"). */
export function names(list: unknown): string[] {
  return (Array.isArray(list) ? list : []).map((f) => ((f as { String?: { sval?: string } }).String?.sval ?? '*'));
}

/** The DML statement types whose target is a table. */
export const MODIFYING = ['InsertStmt', 'UpdateStmt', 'DeleteStmt'] as const;

/** The statement changes rows: it is, or holds (in a CTE), an INSERT, UPDATE or DELETE. */
export const isModifying = (stmt: Node): boolean => MODIFYING.some((t) => stmt[t] !== undefined || findAll(stmt, t).length > 0);
