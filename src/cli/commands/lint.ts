/**
 * `restitch lint FILE...`: the lint rules over hand-written or generated SQL. The dialect comes
 * from --dialect, else from the manifest.json of the runbook the file belongs to (its directory,
 * or the parent of undo/).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getDialect } from '../../core/dialects/index.js';
import { inputError } from '../../core/errors.js';
import type { DialectName } from '../../core/types.js';
import { loadPgQuery } from '../../core/where.js';
import { type LintFinding, lintSql } from '../../lint/lintSql.js';
import { errorAnnotation } from '../githubAnnotations.js';
import { jsonLine, type OutputFormat } from '../outputFormat.js';

/** A finding in a named file. */
export interface FileFinding extends LintFinding {
  file: string;
}

/** The dialect of the runbook that holds `file`, or undefined when it is in none. */
function manifestDialect(file: string): DialectName | undefined {
  for (const dir of [dirname(file), dirname(dirname(file))]) {
    const path = join(dir, 'manifest.json');
    if (!existsSync(path)) continue;
    try {
      return getDialect(String((JSON.parse(readFileSync(path, 'utf8')) as { dialect?: unknown }).dialect)).name;
    } catch {
      throw inputError(`${path}: not a restitch manifest with a known dialect`);
    }
  }
  return undefined;
}

/** The .sql files named, a directory standing for its .sql files (and those of undo/). */
function expand(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    if (!existsSync(p)) throw inputError(`${p}: no such file`);
    if (!statSync(p).isDirectory()) return [p];
    return readdirSync(p, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sql')).sort().map((f) => join(p, f));
  });
}

/** Every finding in the files named; an empty list means clean. */
export async function lintFiles(paths: readonly string[], dialectOption?: string): Promise<FileFinding[]> {
  if (paths.length === 0) throw inputError('name at least one SQL file to lint');
  const forced = dialectOption === undefined ? undefined : getDialect(dialectOption).name;
  const files = expand(paths).map((file) => {
    const dialect = forced ?? manifestDialect(file);
    if (!dialect) throw inputError(`${file}: --dialect is required (the file is not in a restitch runbook)`);
    return { file, dialect, sql: readFileSync(file, 'utf8') };
  });
  const pg = await loadPgQuery();
  return files.flatMap(({ file, dialect, sql }) => lintSql(sql, dialect, pg).map((f) => ({ file, ...f })));
}

/**
 * The findings as `format` prints them: `file:line: rule: reason` lines, GitHub annotations
 * titled with the rule, or one JSON object `{ ok, findings: [{ file, line, rule, reason }] }`.
 */
export function lintOutput(findings: readonly FileFinding[], format: OutputFormat): string {
  if (format === 'json') return jsonLine({ ok: findings.length === 0, findings });
  if (format === 'github') return findings.map((f) => errorAnnotation({ file: f.file, line: f.line, title: `restitch lint: ${f.rule}` }, f.reason)).join('');
  return findings.map((f) => `${f.file}:${f.line}: ${f.rule}: ${f.reason}\n`).join('');
}
