/**
 * CockroachDB clauses PostgreSQL's parser does not know, set aside before parsing so that every
 * byte offset the parser reports still points into the user's file. `AS OF SYSTEM TIME x` after
 * a FROM list becomes an extra FROM item named by a marker (`,restitch_aost_N` padded to the same
 * byte length), so a rule can see in the parse tree exactly where the clause stood; after BEGIN or
 * SET TRANSACTION (legal: the whole transaction reads the past) it becomes blanks, as does a
 * transaction's `PRIORITY HIGH|NORMAL|LOW`. A SHOW statement as a data source (`[SHOW CLUSTER
 * SESSIONS]`, https://www.cockroachlabs.com/docs/stable/selection-queries) becomes a quoted name.
 * https://www.cockroachlabs.com/docs/stable/as-of-system-time
 * https://www.cockroachlabs.com/docs/stable/set-transaction
 * Console meta-commands at the start of a line (`\set`, `\echo`, `\copy`, ...) are blanked first:
 * the console reads them, the server never sees them, so they are neither findings nor parsed.
 */
import { blankMetaCommands } from '../core/psqlMeta.js';

import { blankCopyData } from '../core/entitiesFile.js';

/** The prefix of the FROM item that stands for one AS OF SYSTEM TIME clause. */
export const AOST_MARKER = 'restitch_aost_';

const AOST = /\bAS\s+OF\s+SYSTEM\s+TIME\s+(?:'(?:[^']|'')*'|[A-Za-z_][\w.]*\s*\((?:[^()']|'(?:[^']|'')*')*\)|-?\d+(?:\.\d+)?)/gi;
const PRIORITY = /(\bTRANSACTION\b[^;]*?)\bPRIORITY\s+(?:HIGH|NORMAL|LOW)\b/gi;
const SHOW_SOURCE = /\[SHOW ([A-Za-z_ ]+)\]/g;
const IN_TRANSACTION_HEADER = /(?:\bBEGIN|\bTRANSACTION|\bREAD\s+ONLY|\bREAD\s+WRITE|,)\s*$/i;

/** The text with the clauses replaced, same byte length, and how many AOST markers were placed. */
export function setAside(sql: string): { text: string; markers: number } {
  let markers = 0;
  const blank = (s: string) => ' '.repeat(Buffer.byteLength(s));
  // The rows of a COPY ... FROM STDIN that a bundle carries inline are data, not SQL.
  let text = blankMetaCommands(blankCopyData(sql)).replace(PRIORITY, (_m, before: string) => before + blank(_m.slice(before.length)));
  // A SHOW statement as a data source, `[SHOW CLUSTER SESSIONS]`, reads as the quoted name "SHOW CLUSTER SESSIONS".
  text = text.replace(SHOW_SOURCE, (_m, what: string) => `"SHOW ${what}"`);
  text = text.replace(AOST, (clause: string, offset: number, whole: string) => {
    if (IN_TRANSACTION_HEADER.test(whole.slice(Math.max(0, offset - 40), offset))) return blank(clause);
    const marker = `,${AOST_MARKER}${markers++}`;
    const width = Buffer.byteLength(clause);
    return marker.length <= width ? marker + ' '.repeat(width - marker.length) : marker;
  });
  return { text, markers };
}
