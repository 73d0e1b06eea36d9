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

/** Byte order of the UTF-8 encodings, which is code point order (UTF-16 order differs from U+D800 up). */
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
  return sortUniqueIds([...ids], false);
}

/** Positions after the common prefix that the radix sort orders by; ties are compared whole. */
const RADIX_WIDTH = 8;

/** A character from U+D800 up: there UTF-16 order and byte order part. */
const WIDE = /[\ud800-\uffff]/;

/**
 * Sorts `ids` in place by their UTF-8 bytes and, with `unique`, drops repeats; returns `ids`.
 * `source`, when given, is text that holds every id (the file they were read from): one scan of
 * it says whether any id holds a character from U+D800 up. Ids already in order (a file restitch
 * wrote, a sorted export) cost one pass. Otherwise, without such characters (then UTF-16 order is
 * byte order), an LSD radix sort over RADIX_WIDTH characters after the prefix all ids share, then
 * a comparison sort of each run that ties on them; with them, a comparison sort by code point.
 */
export function sortUniqueIds(ids: string[], unique = true, source?: string): string[] {
  if (ids.length < 2) return ids;
  const wide = source === undefined ? ids.some((id) => WIDE.test(id)) : WIDE.test(source);
  if (wide) {
    ids.sort(byCodePoint);
    return unique ? dropRepeats(ids) : ids;
  }
  const order = inOrder(ids);
  if (order === 'strictly') return ids;
  if (order === 'not') return radixSort(ids, sharedPrefix(ids), unique);
  return unique ? dropRepeats(ids) : ids;
}

/** Whether the ids are in order already, and with repeats or without. */
function inOrder(ids: readonly string[]): 'strictly' | 'with-repeats' | 'not' {
  let repeats = false;
  for (let i = 1; i < ids.length; i++) {
    const a = ids[i - 1] as string;
    const b = ids[i] as string;
    if (a < b) continue;
    if (a !== b) return 'not';
    repeats = true;
  }
  return repeats ? 'with-repeats' : 'strictly';
}

function sharedPrefix(ids: readonly string[]): number {
  const first = ids[0] as string;
  let prefix = first.length;
  for (let i = 1; i < ids.length && prefix > 0; i++) {
    const id = ids[i] as string;
    if (id.startsWith(first.slice(0, prefix))) continue;
    let k = 0;
    while (k < prefix && k < id.length && id.charCodeAt(k) === first.charCodeAt(k)) k++;
    prefix = k;
  }
  return prefix;
}

/**
 * Stable counting sorts of an index over the characters prefix+RADIX_WIDTH-1 .. prefix, read
 * once into a typed array (a code unit + 1; 0 past the end, which sorts a shorter id first).
 */
function radixSort(ids: string[], prefix: number, unique: boolean): string[] {
  const n = ids.length;
  const w = RADIX_WIDTH;
  const keys = new Uint16Array(n * w);
  for (let i = 0; i < n; i++) {
    const id = ids[i] as string;
    const stop = Math.min(id.length, prefix + w);
    for (let p = prefix; p < stop; p++) keys[i * w + p - prefix] = id.charCodeAt(p) + 1;
  }
  let index = new Uint32Array(n);
  let spare = new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  const counts = new Uint32Array(0xd801);
  for (let p = w - 1; p >= 0; p--) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = keys[i * w + p] as number;
      counts[d] = (counts[d] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = index[i] as number;
      const d = keys[at * w + p] as number;
      const slot = counts[d] as number;
      counts[d] = slot + 1;
      spare[slot] = at;
    }
    [index, spare] = [spare, index];
  }
  // Ids that tie on the window differ only after it (or not at all): a comparison sort of each
  // run; repeats can only stand in one run.
  const out: string[] = [];
  for (let start = 0; start < n; ) {
    let stop = start + 1;
    while (stop < n && sameKey(keys, w, index[start] as number, index[stop] as number)) stop++;
    if (stop - start === 1) out.push(ids[index[start] as number] as string);
    else {
      const run = Array.from(index.subarray(start, stop), (i) => ids[i] as string).sort();
      out.push(...(unique ? dropRepeats(run) : run));
    }
    start = stop;
  }
  ids.length = 0;
  for (const id of out) ids.push(id);
  return ids;
}

function sameKey(keys: Uint16Array, w: number, a: number, b: number): boolean {
  for (let p = 0; p < w; p++) if (keys[a * w + p] !== keys[b * w + p]) return false;
  return true;
}

/** Drops neighbours that repeat, in place. */
function dropRepeats(ids: string[]): string[] {
  let w = 0;
  for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[w - 1]) ids[w++] = ids[i] as string;
  ids.length = w;
  return ids;
}

/**
 * The file's text, the ids' digest and the file's sha256, computed once per sorted list: the
 * context, the fingerprint, the render and the manifest all ask, and at 1M ids each join and hash
 * of 15 MB costs time and memory.
 */
const texts = new WeakMap<readonly string[], { text: string; digest: string; sha256: string }>();

function fileOf(sorted: readonly string[]): { text: string; digest: string; sha256: string } {
  let known = texts.get(sorted);
  if (!known) {
    const plain = sorted.length === 0 ? '' : `${sorted.join('\n')}\n`;
    const digest = createHash('sha256').update(plain, 'utf8').digest('hex');
    // Only a backslash is escaped; without one the file is the digested text itself.
    const escaped = plain.includes('\\');
    const text = escaped ? `${sorted.map((id) => id.replace(/\\/g, '\\\\')).join('\n')}\n` : plain;
    known = { text, digest, sha256: escaped ? createHash('sha256').update(text, 'utf8').digest('hex') : digest };
    texts.set(sorted, known);
  }
  return known;
}

/** sha256 (hex) of the file's text (what manifest.json records for it). */
export function entitiesFileSha256(sorted: readonly string[]): string {
  return fileOf(sorted).sha256;
}

/** The file's text for ids already sorted and unique. */
export function entitiesText(sorted: readonly string[]): string {
  return fileOf(sorted).text;
}

/**
 * sha256 (hex) of the ids, each followed by a newline, in the file's order: what the
 * entities-loaded check recomputes from the working table.
 */
export function idsDigest(sorted: readonly string[]): string {
  return fileOf(sorted).digest;
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
