/**
 * `restitch lint`: checks SQL text against the rules for one dialect. Pure: the parser is passed
 * in (libpg-query, PostgreSQL's own parser), CockroachDB clauses it does not know are set aside
 * first (setAside.ts) without moving any byte offset.
 */
import type { DialectName } from '../core/types.js';
import { type Rule, RULES } from './rules.js';
import { setAside } from './setAside.js';
import type { Node } from './tree.js';

/** One finding: 1-based line in the file, the rule's id and why. */
export interface LintFinding {
  line: number;
  rule: string;
  reason: string;
}

/** The parts of libpg-query lint needs. */
export interface SqlParser {
  parseSync(sql: string): { stmts?: { stmt?: unknown; stmt_location?: number }[] };
  scanSync(sql: string): { tokens: { start: number; tokenName: string }[] };
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, bytes.length); i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The rules that apply to `dialect`. */
export function rulesFor(dialect: DialectName): Rule[] {
  return RULES.filter((r) => r.dialects.includes(dialect));
}

/** Every finding in `sql` for `dialect`, in file order. */
export function lintSql(sql: string, dialect: DialectName, parser: SqlParser): LintFinding[] {
  const { text } = setAside(sql);
  const bytes = Buffer.from(text, 'utf8');
  let stmts: { stmt?: unknown; stmt_location?: number }[];
  try {
    stmts = parser.parseSync(text).stmts ?? [];
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    return [{ line: cursor === undefined ? 1 : lineAt(bytes, cursor), rule: 'parse', reason: `does not parse as ${dialect} SQL: ${(error as Error).message}` }];
  }
  // A statement's own line: its first token that is not a comment.
  const tokens = parser.scanSync(text).tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  const findings: LintFinding[] = [];
  for (const { stmt = {}, stmt_location: at = 0 } of stmts) {
    const start = tokens.find((t) => t.start >= at)?.start ?? at;
    for (const rule of rulesFor(dialect)) {
      for (const hit of rule.check(stmt as Node)) {
        findings.push({ line: lineAt(bytes, hit.location ?? start), rule: rule.id, reason: hit.reason });
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}
