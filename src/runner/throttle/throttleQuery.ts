/**
 * Proves a --throttle-query is one read-only SELECT that returns one number, with PostgreSQL's
 * own parser (libpg-query), held to the --where allow-list (src/core/whereNodes.ts) plus what a
 * back-pressure reading needs: FROM plain tables, the aggregates count/sum/min/max/avg, now(),
 * and scalar subqueries held to the same rules. No second statement, no CTE (a data-modifying
 * WITH), no FOR UPDATE, no function with a side effect (nextval, set_config, pg_sleep...). It
 * also runs in a READ ONLY transaction (probes.ts), so the server refuses a write anyway.
 */
import { inputError } from '../../core/errors.js';
import { loadPgQuery } from '../../core/where.js';
import { FUNCTIONS, refuseNode } from '../../core/whereNodes.js';

const FLAG = '--throttle-query';
const SELECT_KEYS = new Set(['targetList', 'fromClause', 'whereClause', 'limitOption', 'op']);
/** Aggregates and clock reads a reading may use: none writes or waits. */
const READING_FUNCTIONS = new Set(['count', 'sum', 'min', 'max', 'avg', 'now', 'clock_timestamp', 'coalesce']);

type Json = Record<string, unknown>;

const names = (list: unknown): string[] => (Array.isArray(list) ? list.map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '?') : []);

function refuseSelect(select: Json | undefined, top: boolean, found: Set<string>): void {
  if (!select) {
    found.add('found a statement that is not a SELECT');
    return;
  }
  const extra = Object.keys(select).filter((k) => !SELECT_KEYS.has(k));
  if (extra.length > 0 || select.op !== 'SETOP_NONE') found.add(`found ${extra.join(', ') || 'a set operation'} (only SELECT ... FROM ... WHERE)`);
  if (top && (select.targetList as unknown[] | undefined)?.length !== 1) found.add('it must return one column (one number)');
  for (const item of (select.fromClause as Json[] | undefined) ?? []) {
    if (!('RangeVar' in item)) found.add(`found ${Object.keys(item)[0]} in FROM (only table names)`);
  }
  walk(select.targetList, found);
  walk(select.whereClause, found);
}

function walk(tree: unknown, found: Set<string>): void {
  if (Array.isArray(tree)) {
    for (const item of tree) walk(item, found);
    return;
  }
  if (tree === null || typeof tree !== 'object') return;
  for (const [key, value] of Object.entries(tree as Json)) {
    const body = value as Json;
    if (key === 'FuncCall') {
      const fn = names(body.funcname);
      const bare = fn.length === 1 ? fn[0] : fn.length === 2 && fn[0] === 'pg_catalog' ? fn[1] : undefined;
      if (bare === undefined || !(FUNCTIONS.has(bare) || READING_FUNCTIONS.has(bare))) found.add(`found the function ${fn.join('.')}(), which is not on the allow-list`);
      if (body.over) found.add(`found ${fn.join('.')}() as a window function`);
      walk(body.args, found);
      continue;
    }
    if (key === 'SubLink') {
      if (body.subLinkType !== 'EXPR_SUBLINK' && body.subLinkType !== 'EXISTS_SUBLINK') found.add(`found a ${String(body.subLinkType)} subquery`);
      refuseSelect((body.subselect as { SelectStmt?: Json } | undefined)?.SelectStmt, false, found);
      continue;
    }
    if (key === 'ResTarget') {
      walk(body.val, found);
      continue;
    }
    if (key === 'SQLValueFunction') continue; // current_timestamp, current_date: clock reads
    if (/^[A-Z]/.test(key)) {
      const why = refuseNode(key, body);
      if (why) found.add(why);
      if (key === 'TypeCast') {
        walk(body.arg, found);
        continue;
      }
    }
    walk(value, found);
  }
}

/** Returns the query to run (an expression is made `SELECT <expr>`), or throws an input error saying what is wrong. */
export async function validateThrottleQuery(raw: string): Promise<string> {
  const text = raw.trim().replace(/;\s*$/, '');
  if (text === '') throw inputError(`${FLAG} is empty; give a query such as "SELECT count(*) FROM cdp_ps.customer_events_to_process"`);
  // Both as in --where (src/core/where.ts): a backslash lexes differently with
  // standard_conforming_strings off; a comment could hide the rest of the statement.
  if (text.includes('\\')) throw inputError(`${FLAG} must not contain a backslash (write chr(92) for one)`);
  const sql = /^select\b/i.test(text) ? text : `SELECT ${text}`;
  const pg = await loadPgQuery();
  let stmts: unknown[];
  try {
    stmts = pg.parseSync(sql).stmts ?? [];
  } catch (error) {
    throw inputError(`${FLAG} does not parse as one SELECT or expression: ${(error as Error).message}`);
  }
  if (stmts.length !== 1) throw inputError(`${FLAG} must be one SELECT, not several statements`);
  if (pg.scanSync(sql).tokens.some((t) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT')) {
    throw inputError(`${FLAG} must not contain comments (-- or /* */)`);
  }
  const found = new Set<string>();
  refuseSelect((stmts[0] as { stmt?: { SelectStmt?: Json } }).stmt?.SelectStmt, true, found);
  if (found.size > 0) throw inputError(`${FLAG} must be one read-only SELECT returning one number; ${[...found].join('; ')}`);
  return sql;
}
