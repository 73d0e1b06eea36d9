/**
 * entities.txt: the one place a runbook holds its entity ids. One id a line, sorted by their
 * UTF-8 bytes, in COPY's text format (a backslash is written `\\`; ids hold no tab, newline or
 * other control character, so nothing else needs escaping), so that the same bytes are what
 * the runner streams to `COPY ... FROM STDIN`, what psql's `\copy ... FROM 'entities.txt'` reads
 * and what a bundle carries inline: https://www.postgresql.org/docs/current/sql-copy.html
 * (Text Format). CockroachDB reads COPY's text format the same way (pkg/sql/copy_from.go).
 * manifest.json covers the file with its sha256; the steps name it by count and digest only.
 */
import { checkError } from './errors.js';

/** The file's path inside a runbook. */
export const ENTITIES_FILE = 'entities.txt';

/** The ids of an entities.txt; refuses what the generator never writes (exit 1: regenerate). */
export function parseEntitiesText(text: string, where: string): string[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw checkError(`${where}: the last line has no newline; regenerate the runbook`);
  const lines = text.slice(0, -1).split('\n');
  return lines.map((line, i) => {
    if (!line.includes('\\')) return line;
    if (/\\/.test(line.replace(/\\\\/g, ''))) throw checkError(`${where} line ${i + 1}: a backslash must be written \\\\; regenerate the runbook`);
    return line.replace(/\\\\/g, '\\');
  });
}

/**
 * A `COPY ... FROM STDIN;` statement with its rows inline after it and a line `\.` ending them:
 * how psql and cockroach sql read COPY data from a script (bundle, run --dry-run --sql).
 */
export function copyInline(statement: string, data: string): string {
  return `${statement.trimEnd()}\n${data}${data === '' || data.endsWith('\n') ? '' : '\n'}\\.`;
}

/**
 * A script with the rows of each `COPY ... FROM STDIN;` (the lines after it, up to a line \.)
 * blanked, every byte offset kept: what a SQL parser can read of a bundle.
 */
export function blankCopyData(sql: string): string {
  return sql.replace(/(FROM STDIN;[^\n]*\n)([\s\S]*?^\\\.$)/gm, (_m, copy: string, data: string) => copy + data.replace(/[^\n]/gu, (c) => ' '.repeat(Buffer.byteLength(c))));
}
