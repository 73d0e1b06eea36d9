/**
 * The values the runner may change in a reviewed batch statement, found without a parser. The
 * generator writes each one as the last token of its own line, followed by a marker comment:
 *
 *     LIMIT 10000 -- restitch:batch-size
 *     WHERE src.id > '00000000-0000-0000-0000-000000000000'::uuid -- restitch:floor
 *     AND src.ord <= '(4294967295,65535)'::tid -- restitch:range-end
 *     '' -- restitch:identifier
 *
 * Pasted by hand the statement means what it says (the whole key range, the generated batch
 * size); the runner replaces only the token before a marker: a batch size (adaptive or
 * `--batch-size`), CockroachDB's floor before every batch, a worker's key range. No value a
 * person supplies reaches a batch statement on a line of its own ending in such a marker (the
 * generator refuses `restitch:` in --where and --delete-where), so a marker is the generator's.
 * `-- restitch:journal` ends the statement's last common table expression: there the runner
 * adds the update of its journal row, so a batch and its record commit in one statement.
 */
import { checkError } from '../../core/errors.js';
import { sqlLiteral } from '../../core/sql.js';

/**
 * A value slot in a batch statement. `identifier`: the identifier a walk over identifiers reads
 * (src/core/identifierWalk.ts), bound with the floor from the same restitch:floor row.
 * `cps-disabled-at` and `paused-at` (a change, check or batch step): times the runner reads from
 * its journal (src/runner/runTimes.ts). `first-batch`: 1 in the first batch a run sends of the
 * step, 0 in every later one (a look that is needed once per run, cps-since-pause.hbs).
 */
export type SlotName = 'batch-size' | 'floor' | 'range-start' | 'range-end' | 'identifier' | 'cps-disabled-at' | 'paused-at' | 'first-batch';

const TOKEN = String.raw`(-?\d+|'(?:[^'\n]|'')*'(?:::[a-z]+)?)`;

function slotPattern(name: SlotName): RegExp {
  return new RegExp(String.raw`^(.*\s)${TOKEN} -- restitch:${name}$`, 'gm');
}

/** The tokens standing in slot `name`, in order (none when the statement has no such slot). */
export function slotValues(body: string, name: SlotName): string[] {
  return [...body.matchAll(slotPattern(name))].map((m) => m[2] ?? '');
}

/**
 * `value` as the token of a slot whose current token is `like`: a whole number stays a number,
 * a quoted literal becomes `value` quoted, keeping its cast (`'…'::uuid`).
 */
export function slotToken(like: string, value: string | number | bigint): string {
  if (/^-?\d+$/.test(like)) {
    const text = String(value);
    if (!/^-?\d+$/.test(text)) throw checkError(`'${text}' is not a whole number`);
    return text;
  }
  const cast = /'(::[a-z]+)$/.exec(like)?.[1] ?? '';
  return `${sqlLiteral(String(value))}${cast}`;
}

/** `body` with every token of slot `name` replaced by `value` (formatted like the token it replaces). */
export function setSlot(body: string, name: SlotName, value: string | number | bigint, file = 'step'): string {
  let found = 0;
  const changed = body.replace(slotPattern(name), (_all, head: string, token: string) => {
    found += 1;
    return `${head}${slotToken(token, value)} -- restitch:${name}`;
  });
  if (found === 0) throw checkError(`${file}: no '-- restitch:${name}' value in this batch statement; regenerate the runbook with this restitch version`);
  return changed;
}

const JOURNAL = /^(\s*)\) -- restitch:journal( per-batch)?$/m;

/**
 * Where the runner's journal update goes, if the statement says: `per-batch` when its done table
 * keeps one row per batch (so a batch counts as one row).
 */
export function journalSlot(body: string): { perBatch: boolean } | null {
  const m = JOURNAL.exec(body);
  return m ? { perBatch: m[2] !== undefined } : null;
}

/** `body` with the common table expression `cte` (`name AS (...)`) added where `-- restitch:journal` stands. */
export function addJournal(body: string, cte: string): string {
  if (!journalSlot(body)) throw checkError('no -- restitch:journal in this batch statement');
  return body.replace(JOURNAL, (_all, indent: string) => `${indent}),\n${cte}`);
}
