/**
 * entities.txt: the one place a runbook holds its entity ids. One id a line, sorted by their
 * UTF-8 bytes, in COPY's text format (a backslash is written `\\`; ids hold no tab, newline or
 * other control character, so nothing else needs escaping), so that the same bytes are what
 * the runner streams to `COPY ... FROM STDIN`, what psql's `\copy ... FROM 'entities.txt'` reads
 * and what a bundle carries inline: https://www.postgresql.org/docs/current/sql-copy.html
 * (Text Format). CockroachDB reads COPY's text format the same way (pkg/sql/copy_from.go).
 * manifest.json covers the file with its sha256; the steps name it by count and digest only.
 */
import { createHash } from 'node:crypto';
import { checkError } from './errors.js';

/** The file's path inside a runbook. */
export const ENTITIES_FILE = 'entities.txt';

/** Byte order of the UTF-8 encodings, which is code point order (UTF-16 order differs above U+D7FF). */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Ids sorted as PostgreSQL's "C" collation and CockroachDB's STRING compare them: by bytes
 * (CockroachDB: DString.Compare in pkg/sql/sem/tree/datum.go compares Go strings).
 */
export function sortIds(ids: readonly string[]): string[] {
  // UTF-16 order equals byte order unless a surrogate pair meets a character from U+E000 up.
  return ids.some((id) => /[\ud800-\uffff]/.test(id)) ? [...ids].sort(byCodePoint) : [...ids].sort();
}

/** The file's text for ids already sorted and unique. */
export function entitiesText(sorted: readonly string[]): string {
  if (sorted.length === 0) return '';
  const escaped = sorted.map((id) => (id.includes('\\') ? id.replace(/\\/g, '\\\\') : id));
  return `${escaped.join('\n')}\n`;
}

/**
 * sha256 (hex) of the ids, each followed by a newline, in the file's order: what the
 * entities-loaded check recomputes from the working table.
 */
export function idsDigest(sorted: readonly string[]): string {
  return createHash('sha256').update(sorted.length === 0 ? '' : `${sorted.join('\n')}\n`, 'utf8').digest('hex');
}

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
 * A script with the rows of each `COPY ... FROM STDIN;` (the lines after it, up to a line \.)
 * blanked, every byte offset kept: what a SQL parser can read of a bundle.
 */
export function blankCopyData(sql: string): string {
  return sql.replace(/(FROM STDIN;[^\n]*\n)([\s\S]*?^\\\.$)/gm, (_m, copy: string, data: string) => copy + data.replace(/[^\n]/gu, (c) => ' '.repeat(Buffer.byteLength(c))));
}
