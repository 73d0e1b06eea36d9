/**
 * CockroachDB's integer division on the lane. On CockroachDB `INT / INT` is DECIMAL and `//` is
 * integer (floor) division (cockroachdb/cockroach docs/generated/sql/operators.md: `/` lists
 * `int / int` → decimal, `//` lists `int // int` → int; `//` came with PR 6642). PostgreSQL
 * divides integers with `/`, so SQL that relies on it passes there and fails on CockroachDB, e.g.
 * a quotient written to an INT8 column (22P02 for "3.5").
 *
 * PostgreSQL resolves an operator by walking search_path, and an operator with the same argument
 * types found in an earlier schema wins over pg_catalog's when search_path names pg_catalog after
 * it (https://www.postgresql.org/docs/current/typeconv-oper.html: "If the search path finds
 * multiple operators with identical argument types, only the one appearing earliest in the path is
 * considered"; https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-SEARCH-PATH).
 * So the lane database gets a schema `crdb_compat_ops` with `/` on every pair of integer types
 * returning numeric and `//` returning int8, and its default search_path puts that schema before
 * pg_catalog, after public (new objects still go to public). It applies to sessions opened after
 * it (the runner's), not to the session that builds the database.
 */
const INTS = ['int2', 'int4', 'int8'] as const;

function pairs(): [string, string][] {
  return INTS.flatMap((a) => INTS.map((b): [string, string] => [a, b]));
}

/** The operators and the database's search_path, as SQL run once when a lane database is made. */
export const LANE_INT_DIVISION_SQL = `
CREATE SCHEMA crdb_compat_ops;
GRANT USAGE ON SCHEMA crdb_compat_ops TO PUBLIC;
${pairs()
  .map(
    ([a, b]) => `CREATE FUNCTION crdb_compat_ops.int_div_decimal(${a}, ${b}) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1::numeric OPERATOR(pg_catalog./) $2::numeric $$;
CREATE OPERATOR crdb_compat_ops./ (LEFTARG = ${a}, RIGHTARG = ${b}, FUNCTION = crdb_compat_ops.int_div_decimal);
CREATE FUNCTION crdb_compat_ops.int_floor_div(${a}, ${b}) RETURNS int8 LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT pg_catalog.div($1::numeric, $2::numeric)::int8 $$;
CREATE OPERATOR crdb_compat_ops.// (LEFTARG = ${a}, RIGHTARG = ${b}, FUNCTION = crdb_compat_ops.int_floor_div);`,
  )
  .join('\n')}
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, crdb_compat_ops, pg_catalog', current_database());
END $$;
`;
