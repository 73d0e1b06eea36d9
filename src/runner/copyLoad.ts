/**
 * A change step whose body ends in `COPY ... FROM STDIN` (restitch:copy-from): the statements
 * before the COPY and the COPY itself run in one transaction, the COPY reading its rows from the
 * runbook file the header names (entities.txt, verified against manifest.json before anything
 * runs). These are the bytes a console reads after the statement, so the runner and a person
 * load the same thing.
 */
import { checkError } from '../core/errors.js';

/** The body split into the statements before the final COPY, and the COPY. */
export function splitCopy(body: string, file: string): { before: string; copy: string } {
  const m = /(?:^|\n)(COPY [^;]+ FROM STDIN;)\s*$/.exec(body);
  if (!m) throw checkError(`${file}: restitch:copy-from needs a body ending in COPY ... FROM STDIN; regenerate the runbook`);
  return { before: body.slice(0, m.index).trim(), copy: m[1] as string };
}

/** How many rows a COPY text-format file holds (one a line). */
export function copyRows(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  return n;
}
