/**
 * What a person sees before confirming a change step: the statement that will run (shortened
 * when it is huge, with a pointer to the file that holds all of it) and the planner's estimate
 * of the rows it writes. Pure.
 */
import { printable } from '../banner.js';
import type { RunStep } from '../types.js';

/** Lines shown in full; a longer statement shows its head and tail. */
const MAX_LINES = 30;
const HEAD = 20;
const TAIL = 5;
/** Characters shown of one line. */
const MAX_WIDTH = 200;

function clip(line: string): string {
  const shown = printable(line);
  return shown.length > MAX_WIDTH ? `${shown.slice(0, MAX_WIDTH - 1)}…` : shown;
}

/** The statement, indented, at most MAX_LINES lines of at most MAX_WIDTH characters. */
export function shownStatement(body: string, path: string): string[] {
  const lines = body.replace(/\s+$/, '').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  const cut = lines.length > MAX_LINES;
  const shown = cut ? [...lines.slice(0, HEAD).map(clip), `… ${lines.length - HEAD - TAIL} more lines; the whole statement is in ${path}`, ...lines.slice(-TAIL).map(clip)] : lines.map(clip);
  const wide = !cut && lines.some((l) => printable(l).length > MAX_WIDTH);
  return [...shown.map((l) => `    ${l}`), ...(wide ? [`    (long lines shortened; the whole statement is in ${path})`] : [])];
}

/** The text shown before "Run step N/M (change): title?". `estimate` is the dry run's, or why there is none. */
export function changePrompt(step: RunStep, body: string, path: string, estimate: string): string {
  return [`step ${step.header.number}/${step.header.total} (change) will run, in one transaction (${path}):`, ...shownStatement(body, path), `  estimate: ${estimate}`].join('\n');
}

/** The text shown before "Run step N/M (batch): title?": the statement each batch runs. */
export function batchPrompt(step: RunStep, body: string, path: string): string {
  return [`step ${step.header.number}/${step.header.total} (batch) will run in batches, each its own transaction, until no row is left; resumable (${path}):`, ...shownStatement(body, path)].join('\n');
}

/** What the point-of-no-return step is, in words, before it runs (render.ts puts the same in the step's header). */
export function noReturnWarning(step: number): string {
  return `POINT OF NO RETURN: once step ${step} is done, undo becomes impossible: 'restitch run --undo' refuses from then on, and the way back is forward (re-stitching the profiles).`;
}
