/**
 * `restitch lint`: checks SQL text against the rules for one dialect. Pure: the parser is passed
 * in (libpg-query, PostgreSQL's own parser), CockroachDB clauses it does not know are set aside
 * first (setAside.ts) without moving any byte offset. The SQL a step's header carries for the
 * runner (`-- restitch:progress`, `floor`, `ranges`) is linted too, at its own line.
 */
import type { DialectName } from '../core/types.js';
import type { ScriptRule, ScriptStatement } from './rule.js';
import { type Rule, RULES } from './rules.js';
import { setAside } from './setAside.js';
import { TRANSACTION_RULES } from './transactionRules.js';
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

/** The script rules (over transactions) that apply to `dialect`. */
export function scriptRulesFor(dialect: DialectName): ScriptRule[] {
  return TRANSACTION_RULES.filter((r) => r.dialects.includes(dialect));
}

/** Every rule id with its source, statement rules first. */
export const ALL_RULES: readonly { id: string; source: string; dialects: readonly DialectName[] }[] = [...RULES, ...TRANSACTION_RULES];

const HEADER_SQL = /^(-- restitch:(?:progress|floor|ranges) )(.+)$/;

/** The step header (the leading `--` lines): whether it is a change step, and the SQL its directives carry. */
function stepHeader(sql: string): { changeStep: boolean; copyFrom: boolean; directives: { sql: string; offset: number }[] } {
  let changeStep = false;
  let copyFrom = false;
  let consoleBegins = false;
  const directives: { sql: string; offset: number }[] = [];
  let at = 0;
  for (const line of sql.split('\n')) {
    if (!line.startsWith('--')) break;
    if (/^-- restitch:kind change\s*$/.test(line)) changeStep = true;
    if (/^-- restitch:copy-from \S/.test(line)) copyFrom = true;
    // A by-hand pipe that sends BEGIN runs the COPY inside a transaction after all.
    if (/echo 'BEGIN;'/.test(line)) consoleBegins = true;
    const m = HEADER_SQL.exec(line.trimEnd());
    if (m) directives.push({ sql: m[2]!, offset: Buffer.byteLength(sql.slice(0, at + m[1]!.length)) });
    at += line.length + 1;
  }
  return { changeStep, copyFrom: copyFrom && !consoleBegins, directives };
}

/** Statements of `text` (byte offsets shifted by `base`), or the parse finding. */
function parse(text: string, base: number, dialect: DialectName, parser: SqlParser): ScriptStatement[] | { location: number; reason: string } {
  try {
    const stmts = parser.parseSync(text).stmts ?? [];
    // A statement's own offset: its first token that is not a comment.
    const tokens = parser.scanSync(text).tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
    return stmts.map(({ stmt = {}, stmt_location: at = 0 }) => ({ stmt: shift(stmt, base) as Node, location: base + (tokens.find((t) => t.start >= at)?.start ?? at) }));
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    return { location: base + (cursor ?? 0), reason: `does not parse as ${dialect} SQL: ${(error as Error).message}` };
  }
}

/** The tree with every `location` moved by `base` bytes (a header's SQL sits inside a comment line). */
function shift(node: unknown, base: number): unknown {
  if (base === 0) return node;
  if (Array.isArray(node)) return node.map((n) => shift(n, base));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'location' && typeof v === 'number' && v >= 0 ? v + base : shift(v, base)]));
}

/** Every finding in `sql` for `dialect`, in file order. */
export function lintSql(sql: string, dialect: DialectName, parser: SqlParser): LintFinding[] {
  const { text } = setAside(sql);
  const bytes = Buffer.from(text, 'utf8');
  const header = stepHeader(sql);
  const findings: LintFinding[] = [];
  const push = (location: number, rule: string, reason: string) => findings.push({ line: lineAt(bytes, location), rule, reason });
  const body = parse(text, 0, dialect, parser);
  if (!Array.isArray(body)) return [{ line: lineAt(bytes, body.location), rule: 'parse', reason: body.reason }];
  const parts: ScriptStatement[] = [...body];
  for (const d of header.directives) {
    const stmts = parse(setAside(d.sql).text, d.offset, dialect, parser);
    if (Array.isArray(stmts)) parts.push(...stmts);
    else push(stmts.location, 'parse', `the header's SQL ${stmts.reason}`);
  }
  for (const { stmt, location } of parts) {
    for (const rule of rulesFor(dialect)) for (const hit of rule.check(stmt)) push(hit.location ?? location, rule.id, hit.reason);
  }
  for (const rule of scriptRulesFor(dialect)) {
    for (const hit of rule.check(body, { changeStep: header.changeStep, copyFrom: header.copyFrom })) push(hit.location ?? 0, rule.id, hit.reason);
  }
  return findings.sort((a, b) => a.line - b.line);
}
