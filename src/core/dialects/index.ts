import { blankCopyData } from '../entitiesFile.js';
import { inputError } from '../errors.js';
import type { DialectName } from '../types.js';
import { cockroachdb } from './cockroachdb.js';
import type { Dialect, SessionVisibility } from './dialect.js';
import { postgres } from './postgres.js';
import { blankMetaCommands } from '../psqlMeta.js';

export type { Dialect, ExplainEstimate, ForeignClause, ServerTraits, SessionVisibility } from './dialect.js';

/** Every dialect, by name. */
export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { cockroachdb, postgres };

export const DIALECT_NAMES = Object.keys(DIALECTS) as DialectName[];

export function getDialect(name: string): Dialect {
  const dialect = (DIALECTS as Record<string, Dialect | undefined>)[name];
  if (!dialect) throw inputError(`unknown dialect '${name}'; use one of: ${DIALECT_NAMES.join(', ')}`);
  return dialect;
}

/** The dialect whose server answers `SELECT version()` with `version`, or null. */
export function detectDialect(version: string): Dialect | null {
  return Object.values(DIALECTS).find((d) => d.server.versionPattern.test(version)) ?? null;
}

/** One row: `visible` (the session sees every user's sessions) and `who` (its user). */
export function sessionVisibilityQuery(v: SessionVisibility): string {
  return `SELECT ${v.condition} AS visible, current_user AS who`;
}

/**
 * `forPostgresParser` keeping every byte offset: a foreign clause whose replacement has another
 * length becomes blanks, so the parser's statement locations point into `sql` itself.
 */
export function forPostgresParserInPlace(dialect: Dialect, sql: string): string {
  return dialect.foreignClauses.reduce(
    (text, c) =>
      text.replace(c.pattern, (m) => {
        const r = m.replace(new RegExp(c.pattern.source, c.pattern.flags.replace('g', '')), c.replacement);
        return Buffer.byteLength(r) === Buffer.byteLength(m) ? r : ' '.repeat(Buffer.byteLength(m));
      }),
    blankMetaCommands(blankCopyData(sql)),
  );
}

/** `sql` with the console's meta-commands and the dialect's foreign clauses set aside, so PostgreSQL's parser can read the rest. */
export function forPostgresParser(dialect: Dialect, sql: string): string {
  return dialect.foreignClauses.reduce((text, c) => text.replace(c.pattern, c.replacement), blankMetaCommands(blankCopyData(sql)));
}
