/**
 * The statements diagnose sends, for the current schema (customer_attributes /
 * customer_events). Every one is a plain SELECT; the session around them is read-only (see
 * SESSION). No literal holds a backslash (regular expressions use [[:space:]], [.], [+]), so a
 * server with standard_conforming_strings = off reads them as written: there '\s' would be 's',
 * and '^\+' the invalid expression '^+'
 * (https://www.postgresql.org/docs/current/functions-matching.html#POSIX-BRACKET-EXPRESSIONS; RE2, which
 * CockroachDB uses, has the same ASCII classes: https://github.com/google/re2/wiki/Syntax). Value look-ups on customer_events go through its GIN index on identifiers
 * (`identifiers @> $1` / `&& $1`); the scans are of customer_attributes, one row per entity.
 */
import type { DialectName } from '../core/types.js';

/** How a read-only diagnosis session starts on each dialect. */
export interface DiagnoseSession {
  /** Statements before any read: the statement timeout (ms) and a read-only transaction. */
  begin: (timeoutMs: number) => string[];
  /**
   * Rows `name` / `rows` (estimates) of customer_attributes and customer_events from the
   * catalog statistics, read before anything else; null where no such statement is verified.
   */
  estimates: string | null;
}

/**
 * PostgreSQL: a READ ONLY transaction refuses every write.
 * CockroachDB: a historical transaction, `BEGIN AS OF SYSTEM TIME follower_read_timestamp()`,
 * is read-only, takes no locks and may be served by followers
 * (https://www.cockroachlabs.com/docs/stable/as-of-system-time). The clause sits on the
 * transaction, not on each SELECT: inside an explicit transaction a statement's own AS OF SYSTEM
 * TIME must equal the transaction's read timestamp or it fails with "inconsistent AS OF SYSTEM
 * TIME timestamp" (cockroachdb/cockroach pkg/sql/conn_executor_exec.go), and
 * follower_read_timestamp() moves between statements.
 */
export const SESSIONS: Readonly<Record<DialectName, DiagnoseSession>> = {
  postgres: {
    begin: (ms) => [`SET statement_timeout = ${ms}`, 'BEGIN TRANSACTION READ ONLY'],
    // reltuples is -1 before the first VACUUM or ANALYZE: https://www.postgresql.org/docs/current/catalog-pg-class.html
    estimates: `SELECT c.relname AS name, c.reltuples AS rows FROM pg_class AS c
WHERE c.relname IN ('customer_attributes', 'customer_events') AND c.relkind = 'r' AND pg_table_is_visible(c.oid)
ORDER BY 1`,
  },
  cockroachdb: {
    begin: (ms) => [`SET statement_timeout = '${ms}ms'`, 'BEGIN TRANSACTION AS OF SYSTEM TIME follower_read_timestamp()'],
    estimates: null,
  },
};

/** Entity identifier values that are junk: $1 junk keys (lower-cased, trimmed), $2 row limit. */
export const JUNK_HOLDERS = `SELECT a.customer_entity_id AS entity, v AS value
FROM customer_attributes AS a, unnest(a.identifiers) AS v
WHERE lower(btrim(v)) = ANY ($1::text[]) OR v ~ '^[[:space:]]*$'
ORDER BY 2, 1
LIMIT $2`;

/** Events carrying one value (GIN look-up), counted up to $2: $1 a one-element array. */
export const EVENTS_WITH_VALUE = `SELECT count(*) AS n FROM (
  SELECT 1 FROM customer_events WHERE identifiers @> $1::text[] LIMIT $2
) AS capped`;

/**
 * Entity identifier values not in normal form under any normalisation (a superset:
 * normaliseIdentifier decides, and test/integration/diagnoseNormalise.test.ts checks that every
 * value it changes is selected here): upper case, non-ASCII (lower() may leave it as it is
 * under a C collation), surrounding whitespace, a whole-value number with a sign, a leading
 * zero or a fraction, `-0`, a number token with a fraction, a phone number's `+` or `00` (the
 * leading-zero pattern), `mailto:`. The patterns are in the syntax both PostgreSQL (ARE) and
 * CockroachDB (Go RE2) read the same way; octet_length and length exist on both
 * (https://www.cockroachlabs.com/docs/stable/functions-and-operators). $1 row limit.
 */
export const UNNORMAL_VALUES = `SELECT a.customer_entity_id AS entity, v AS value
FROM customer_attributes AS a, unnest(a.identifiers) AS v
WHERE v <> lower(v) OR octet_length(v) <> length(v) OR v ~ '^[[:space:]]|[[:space:]]$'
  OR v ~ '^[+-]?[0-9]*[.][0-9]*$' OR v ~ '^[+-]?0[0-9]' OR v ~ '^[+]' OR v = '-0'
  OR v ~ '[0-9][.]0' OR v ~* '^mailto:'
ORDER BY 1, 2
LIMIT $1`;

/** Entities holding any of $1 (normal forms), $2 row limit. */
export const VALUE_HOLDERS = `SELECT a.customer_entity_id AS entity, v AS value
FROM customer_attributes AS a, unnest(a.identifiers) AS v
WHERE v = ANY ($1::text[])
ORDER BY 1, 2
LIMIT $2`;

/** The $1 entities with the most identifiers (the candidates for giant entities). */
export const MOST_IDENTIFIERS = `SELECT customer_entity_id AS entity, identifiers
FROM customer_attributes
WHERE array_length(identifiers, 1) > 0
ORDER BY array_length(identifiers, 1) DESC, customer_entity_id
LIMIT $1`;

/** Identifiers of the entities $1. */
export const ENTITY_IDENTIFIERS = `SELECT customer_entity_id AS entity, identifiers
FROM customer_attributes
WHERE customer_entity_id = ANY ($1::text[]) AND array_length(identifiers, 1) > 0`;

/** Events sharing an identifier with $1 (an entity's identifiers), GIN look-up, counted up to $2. */
export const EVENTS_OF_ENTITY = `SELECT count(*) AS n FROM (
  SELECT 1 FROM customer_events WHERE identifiers && $1::text[] LIMIT $2
) AS capped`;

/** Entities no event shares an identifier with (one GIN look-up each), $1 row limit. */
export const ENTITIES_WITHOUT_EVENTS = `SELECT a.customer_entity_id AS entity
FROM customer_attributes AS a
WHERE NOT EXISTS (SELECT 1 FROM customer_events AS e WHERE e.identifiers && a.identifiers)
ORDER BY 1
LIMIT $1`;

/**
 * Events with an empty identifier array, counted up to $1, with the first few ids (GIN:
 * array_ops indexes empty arrays, so `= '{}'` is an index search;
 * https://www.postgresql.org/docs/current/gin-builtin-opclasses.html).
 */
export const EMPTY_IDENTIFIER_EVENTS = `SELECT count(*) AS n, min(id) AS example FROM (
  SELECT id::text AS id FROM customer_events WHERE identifiers = '{}'::text[] LIMIT $1
) AS capped`;

/**
 * One block of the key-order sample of customer_events (keySample.ts): the $2 events from the
 * slice start $1 on, through the primary key (an index range scan with a limit).
 */
export const SAMPLE_EVENTS = `SELECT e.id::text AS id, e.identifiers
FROM customer_events AS e
WHERE e.id >= $1::uuid
ORDER BY e.id
LIMIT $2`;

/**
 * Identifier values held by at least $1 entities, most holders first, $2 row limit. Stitching
 * merges entities that share an identifier, so a value many entities hold is no identifier of
 * one customer (a junk value the platform refused to merge on, or a placeholder).
 */
export const SHARED_VALUES = `SELECT v AS value, count(DISTINCT a.customer_entity_id) AS entities
FROM customer_attributes AS a, unnest(a.identifiers) AS v
GROUP BY v
HAVING count(DISTINCT a.customer_entity_id) >= $1
ORDER BY 2 DESC, 1
LIMIT $2`;
