/**
 * Proves a --where value is exactly one boolean-shaped expression, with PostgreSQL's own
 * parser (libpg-query): never a second statement, never a clause that escapes the WHERE, and
 * nothing but what a filter needs (see whereNodes.ts): the condition also runs in read-only
 * checks and dry runs, so a function with a side effect must never get in.
 */
import { inputError } from './errors.js';
import { refuseForeignNodes } from './whereNodes.js';

type PgQuery = typeof import('libpg-query');
let loaded: Promise<PgQuery> | null = null;

/** libpg-query is WebAssembly and takes a while to load: only commands that parse load it. */
export function loadPgQuery(): Promise<PgQuery> {
  loaded ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    return m;
  });
  return loaded;
}

const ALLOWED_SELECT_KEYS = new Set(['targetList', 'whereClause', 'limitOption', 'op']);

/**
 * Returns the trimmed expression, or throws an input error that says what is wrong. `flag` names
 * the option in messages (--where, --delete-where: both take one condition on customer_events).
 */
export async function validateWhere(raw: string, flag = '--where'): Promise<string> {
  const where = raw.trim();
  if (where === '') throw inputError(`${flag} is empty; give a condition such as "payload->>'id' = 'None'"`);
  // Tabs and line breaks are white space to SQL; any other control character is a paste gone wrong
  // (and breaks the parser's token list), so it is named by position instead of shown.
  const control = /[^\P{Cc}\t\n\r]/u.exec(where);
  if (control) {
    const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw inputError(`${flag} holds the control character ${code} at character ${control.index + 1}; remove it (write chr(${control[0].charCodeAt(0)}) in SQL for one)`);
  }
  // libpg-query lexes as standard_conforming_strings = on. With it off, a backslash in a string
  // constant ends or extends the string elsewhere, so the server would read another statement.
  // Without any backslash both settings read the same tokens.
  // https://www.postgresql.org/docs/current/runtime-config-compatible.html#GUC-STANDARD-CONFORMING-STRINGS
  if (where.includes('\\')) {
    throw inputError(`${flag} must not contain a backslash: it reads differently when standard_conforming_strings is off (write chr(92) for one)`);
  }
  // The runner changes values the generator marks `-- restitch:<slot>` in batch statements
  // (src/runner/batch/slots.ts); a condition must not be able to write such a mark.
  if (where.includes('restitch:')) throw inputError(`${flag} must not contain 'restitch:' (the runner's marks in batch statements)`);
  const pg = await loadPgQuery();
  let stmts: unknown[];
  try {
    // No parentheses around it: "true) OR (true" must fail to parse, not slip through.
    stmts = pg.parseSync(`SELECT 1 WHERE ${where}`).stmts ?? [];
  } catch (error) {
    throw inputError(`${flag} does not parse as a SQL condition: ${(error as Error).message}`);
  }
  if (stmts.length !== 1) throw inputError(`${flag} must be one condition, not several statements`);
  const select = (stmts[0] as { stmt?: { SelectStmt?: Record<string, unknown> } }).stmt?.SelectStmt;
  const extra = select ? Object.keys(select).filter((k) => !ALLOWED_SELECT_KEYS.has(k)) : ['statement'];
  if (!select || extra.length > 0 || select.op !== 'SETOP_NONE') {
    throw inputError(`${flag} must be only a condition; found ${extra.join(', ') || 'a set operation'} after it`);
  }
  const tokens = pg.scanSync(where).tokens;
  if (tokens.some((t) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT')) {
    throw inputError(`${flag} must not contain comments (-- or /* */): they would hide the rest of the statement`);
  }
  const refused = refuseForeignNodes(select.whereClause);
  if (refused.length > 0) throw inputError(`${flag} may hold only a filter (columns, constants, comparisons, AND/OR/NOT, IN, casts, allowed functions); ${refused.join('; ')}`);
  return where;
}
