/**
 * psql meta-commands (`\set ON_ERROR_STOP on`, `\echo`, `\copy`, ...) and their CockroachDB shell
 * counterparts (`\set errexit`) are read by the console, never sent to the server: a backslash
 * command runs to the end of its line (https://www.postgresql.org/docs/current/app-psql.html,
 * "Meta-Commands"). PostgreSQL's parser rejects them, so the lint and the parse checks blank them.
 */

/**
 * `sql` with every line whose first non-blank character is a backslash, outside string literals,
 * quoted identifiers, dollar quotes and comments, replaced by spaces (same byte length, so
 * offsets and line numbers still point into the file).
 */
/** Spaces as wide in UTF-8 as the UTF-16 code unit `unit` (a surrogate half: half of 4 bytes). */
function blankFor(unit: number): string {
  return ' '.repeat(unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3);
}

export function blankMetaCommands(sql: string): string {
  const out = sql.split('');
  let i = 0;
  let lineStart = true;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (lineStart) {
      let j = i;
      while (sql[j] === ' ' || sql[j] === '\t') j++;
      if (sql[j] === '\\') {
        for (; j < sql.length && sql[j] !== '\n'; j++) out[j] = blankFor(sql.charCodeAt(j));
        i = j;
        continue;
      }
    }
    lineStart = false;
    if (c === '\n') {
      lineStart = true;
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'" || c === '"') {
      // E'...' strings take backslash escapes; everything else ends at an undoubled quote.
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      i++;
      while (i < sql.length) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_][\w]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? sql.length : end + tag.length;
      } else i++;
    } else i++;
  }
  return out.join('');
}
