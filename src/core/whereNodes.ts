/**
 * The allow-list a --where condition is held to, decided on libpg-query's parse tree: column
 * references, constants, comparisons, boolean logic, IN lists, array and jsonb operators, casts
 * to plain types, and immutable functions. Everything else (subqueries, other functions,
 * qualified operators, aggregates) is named and refused.
 */

/** Operators of the built-in comparison, text, array and jsonb families, by name. */
const OPERATORS = new Set(
  '= <> != < > <= >= + - * / % || ~~ ~~* !~~ !~~* ~ ~* !~ !~* -> ->> #> #>> @> <@ ? ?| ?& && @? @@'.split(' '),
);

/** Immutable built-in functions a filter may call (no side effects, no catalogue or session reads). */
export const FUNCTIONS = new Set(
  (
    'lower upper length char_length octet_length btrim ltrim rtrim trim substr substring left right strpos ' +
    'replace split_part concat concat_ws md5 chr abs round floor ceil ceiling trunc greatest least ' +
    'jsonb_typeof jsonb_array_length jsonb_extract_path jsonb_extract_path_text json_typeof ' +
    'json_extract_path_text array_length cardinality array_position extract date_part starts_with'
  ).split(' '),
);

/** Types a cast may name: casts to these run only their immutable input functions. */
const TYPES = new Set(
  (
    'text varchar bpchar char int2 int4 int8 smallint integer bigint int numeric decimal float4 float8 real ' +
    'bool boolean uuid json jsonb date time timetz timestamp timestamptz interval'
  ).split(' '),
);

const A_EXPR_KINDS = new Set([
  'AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF', 'AEXPR_IN',
  'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_BETWEEN_SYM', 'AEXPR_NOT_BETWEEN_SYM',
]);

/** Nodes that only hold other nodes or constants. */
const PLAIN_NODES = new Set([
  'A_Const', 'BoolExpr', 'NullTest', 'BooleanTest', 'List', 'A_ArrayExpr', 'CoalesceExpr', 'CaseExpr', 'CaseWhen',
  'A_Indirection', 'A_Indices', 'String', 'Integer', 'Float', 'Boolean', 'MinMaxExpr',
]);

type Json = Record<string, unknown>;

const names = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((n) => ((n as { String?: { sval?: string } }).String?.sval ?? '?')) : [];

/** Why one parse-tree node is refused in a filter, or null when it may stand there. */
export function refuseNode(type: string, body: Json): string | null {
  switch (type) {
    case 'ColumnRef': {
      const fields = body.fields as Json[];
      if (fields.some((f) => 'A_Star' in f)) return 'found * (a column reference must name a column)';
      // The condition runs inside statements that also read other tables (customer_attributes as
      // a, working tables): a qualified name could reach them, so only customer_events' own
      // columns may be named, bare or as customer_events.column.
      const parts = names(fields);
      if (parts.length === 1 || (parts.length === 2 && parts[0] === 'customer_events')) return null;
      return `found the column reference ${parts.join('.')}: name only columns of customer_events (column or customer_events.column)`;
    }
    case 'A_Expr': {
      const op = names(body.name);
      if (!A_EXPR_KINDS.has(String(body.kind))) return `found ${String(body.kind)}`;
      if (op.length !== 1) return `found the qualified operator OPERATOR(${op.join('.')})`;
      if (body.kind === 'AEXPR_OP' || body.kind === 'AEXPR_OP_ANY' || body.kind === 'AEXPR_OP_ALL') {
        if (!OPERATORS.has(op[0]!)) return `found the operator ${op[0]}`;
      }
      return null;
    }
    case 'FuncCall': {
      const fn = names(body.funcname);
      const name = fn.join('.');
      const bare = fn.length === 1 ? fn[0] : fn.length === 2 && fn[0] === 'pg_catalog' ? fn[1] : undefined;
      if (bare === undefined || !FUNCTIONS.has(bare)) return `found the function ${name}(), which is not on the allow-list`;
      if (body.over || body.agg_star || body.agg_filter || body.agg_distinct || body.agg_order || body.func_variadic) {
        return `found ${name}() used as an aggregate or window function`;
      }
      return null;
    }
    case 'TypeCast': {
      const tn = (body.typeName ?? {}) as Json;
      const t = names(tn.names);
      const bare = t.length === 1 ? t[0] : t.length === 2 && t[0] === 'pg_catalog' ? t[1] : undefined;
      return bare !== undefined && TYPES.has(bare) ? null : `found a cast to ${t.join('.')}, which is not on the allow-list`;
    }
    case 'SubLink':
      return 'found a subquery';
    default:
      return PLAIN_NODES.has(type) ? null : `found ${type}`;
  }
}

/**
 * Every reason `tree` is refused, deduplicated; empty for a plain filter. Inside a construct
 * already refused (a subquery) only the functions are named, so the message stays short and
 * still says which function was meant to run.
 */
export function refuseForeignNodes(tree: unknown, found: Set<string> = new Set(), inRefused = false): string[] {
  if (Array.isArray(tree)) {
    for (const item of tree) refuseForeignNodes(item, found, inRefused);
  } else if (tree !== null && typeof tree === 'object') {
    for (const [key, value] of Object.entries(tree as Json)) {
      let refused = inRefused;
      // Node types are capitalised keys (A_Expr, FuncCall, ...); fields are lower-case.
      if (/^[A-Z]/.test(key)) {
        const why = refuseNode(key, value as Json);
        if (why && (!inRefused || key === 'FuncCall')) found.add(why);
        if (why && key !== 'FuncCall') refused = true;
      }
      // A cast's type name is judged above, not as nodes of its own.
      if (key !== 'typeName') refuseForeignNodes(value, found, refused);
    }
  }
  return [...found];
}
