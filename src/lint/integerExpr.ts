/**
 * Whether an expression's type is an integer, decided from the parse tree alone, conservatively:
 * true only where the type is known without a catalog. What counts as integer-typed:
 * - integer constants (`2`, `-3`), not `2.0`, not a quoted string;
 * - casts to INT, INT2, INT4, INT8, INTEGER, SMALLINT, BIGINT (`CAST(x AS INT)`, `x::int8`);
 * - functions whose result is INT on CockroachDB and PostgreSQL whatever their arguments:
 *   count, row_number, rank, dense_rank, array_length, cardinality, length, char_length,
 *   octet_length, and min/max of an integer (not sum: sum of INT is DECIMAL on CockroachDB and
 *   numeric on PostgreSQL);
 * - columns of restitch's own journal that are INT8 (rows_affected, batches, progress_done,
 *   progress_total, attempts), named bare or qualified;
 * - `+ - * %` and `//` of integer-typed operands, a unary minus of one, coalesce() of them,
 *   and a scalar subquery whose only output is one.
 * Anything else (a column of another table, a parameter, a CASE) is not known to be integer.
 * https://www.cockroachlabs.com/docs/stable/functions-and-operators (return types)
 */
import { type Node, names } from './tree.js';

const INTEGER_TYPES = new Set(['int', 'int2', 'int4', 'int8', 'integer', 'smallint', 'bigint']);
const INTEGER_FUNCTIONS = new Set(['count', 'row_number', 'rank', 'dense_rank', 'array_length', 'cardinality', 'length', 'char_length', 'octet_length']);
/** INT8 columns of the journal (src/runner/journal.ts). */
const INTEGER_COLUMNS = new Set(['rows_affected', 'batches', 'progress_done', 'progress_total', 'attempts']);
const INTEGER_OPERATORS = new Set(['+', '-', '*', '%', '//']);

function typed(node: unknown): [string, Node] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const [entry] = Object.entries(node as Node);
  return entry && entry[1] && typeof entry[1] === 'object' ? [entry[0], entry[1] as Node] : undefined;
}

/** True when `node` is known to be integer-typed (see the module comment); false when unknown. */
export function isIntegerExpr(node: unknown): boolean {
  const t = typed(node);
  if (!t) return false;
  const [type, f] = t;
  switch (type) {
    case 'A_Const':
      return f.ival !== undefined;
    case 'TypeCast':
      return INTEGER_TYPES.has(names((f.typeName as Node | undefined)?.names).at(-1) ?? '') && !(f.typeName as Node).arrayBounds;
    case 'FuncCall': {
      const [name, ...rest] = names(f.funcname);
      if (rest.length > 0) return false;
      // min/max keep their argument's type.
      if (name === 'min' || name === 'max') return Array.isArray(f.args) && f.args.length === 1 && isIntegerExpr(f.args[0]);
      return INTEGER_FUNCTIONS.has(name ?? '');
    }
    case 'ColumnRef':
      return INTEGER_COLUMNS.has(names(f.fields).at(-1) ?? '');
    case 'CoalesceExpr':
      return Array.isArray(f.args) && f.args.length > 0 && f.args.every(isIntegerExpr);
    case 'SubLink': {
      const select = (f.subselect as Node | undefined)?.SelectStmt as Node | undefined;
      const targets = (select?.targetList as Node[] | undefined) ?? [];
      return f.subLinkType === 'EXPR_SUBLINK' && select?.op === 'SETOP_NONE' && targets.length === 1 && isIntegerExpr((targets[0]!.ResTarget as Node).val);
    }
    case 'A_Expr': {
      if (f.kind !== 'AEXPR_OP' || !INTEGER_OPERATORS.has(names(f.name).join('.'))) return false;
      return (f.lexpr === undefined && names(f.name)[0] === '-' ? true : isIntegerExpr(f.lexpr)) && isIntegerExpr(f.rexpr);
    }
    default:
      return false;
  }
}
