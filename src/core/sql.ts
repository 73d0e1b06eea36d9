/**
 * The only way values reach SQL. Templates render with escaping off, so every value
 * passes through one of these helpers (registered as Handlebars helpers in render.ts).
 */
import { inputError } from './errors.js';

/**
 * A SQL string literal that reads the same whatever standard_conforming_strings says. A plain
 * '...' with quotes doubled is enough while the value has no backslash. With one, a plain literal
 * would end early on a server where the setting is off (the backslash escapes the closing quote),
 * so the value goes in an escape string, E'...', with quotes and backslashes doubled: escape
 * strings read backslashes the same under either setting, in PostgreSQL and in CockroachDB.
 * https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE
 * CockroachDB: pkg/sql/scanner/scan.go (case 'e', 'E': scanString with allowEscapes).
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw inputError('a SQL value cannot contain a NUL character');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

// Words that may not stand unquoted as a table or schema name in either dialect.
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user default ' +
    'deferrable desc distinct do else end except false fetch for foreign from grant group having in index initially ' +
    'intersect into lateral leading limit localtime localtimestamp not nothing null offset on only or order placing ' +
    'primary references returning select session_user some symmetric table then to trailing true union unique user ' +
    'using variadic when where window with family'
  ).split(' '),
);

/** A SQL identifier: bare when it is a plain lower-case name, double-quoted otherwise. */
export function sqlIdent(name: string): string {
  if (name.length === 0 || name.length > 63) throw inputError(`identifier '${name}' must be 1 to 63 characters`);
  if (name.includes('\0')) throw inputError('an identifier cannot contain a NUL character');
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table`, each part through sqlIdent. */
export function sqlQualified(schema: string, table: string): string {
  return `${sqlIdent(schema)}.${sqlIdent(table)}`;
}

/** A positive integer as SQL, refusing anything else. */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw inputError(`'${value}' is not a whole number`);
  return String(value);
}
