/**
 * Undo and the forward run never cross. Undo refuses, before anything runs, once the forward run
 * has passed its point of no return:
 * the forward step whose header carries `restitch:point-of-no-return` is done, or a step after it
 * has begun. The runner reads this from the runbook's files and the forward journal (every version
 * of it: a regenerated runbook shares the working tables and so the backups), never from
 * knowledge of the scenario. The undo runbook's own first check stays the guard for a run by hand.
 * And once undo has put rows back, the forward run no longer resumes where it stopped: its journal
 * and progress tables describe changes that were undone, so it would skip steps that must run again.
 */
import { checkError } from '../core/errors.js';
import type { Manifest } from '../core/manifest.js';
import { loadSteps } from '../core/steps.js';
import type { RunbookFile } from '../core/types.js';
import { Journal, type JournalRow } from './journal.js';
import type { Db } from './connection/session.js';
import type { RunStep } from './types.js';

/** Why undo no longer applies: the point-of-no-return step and the journal row that passed it. */
export interface NoReturnPassed {
  step: RunStep;
  row: JournalRow;
}

const slugOf = (file: string) => file.replace(/^(?:undo\/)?\d+-/, '').replace(/\.sql$/, '');

/** Pure: whether the forward journal rows show the point of no return passed (null when not, or when there is none). */
export function noReturnPassed(forward: readonly RunStep[], journal: readonly JournalRow[]): NoReturnPassed | null {
  const at = forward.findIndex((s) => s.header.pointOfNoReturn);
  const step = forward[at];
  if (!step) return null;
  // Matched by slug, not number: rows of another version of the runbook may number steps differently.
  const later = new Set(forward.slice(at + 1).map((s) => s.slug));
  const row =
    journal.find((r) => slugOf(r.file) === step.slug && r.status === 'done') ??
    journal.find((r) => later.has(slugOf(r.file)));
  return row ? { step, row } : null;
}

/** Refuses (exit 1, nothing written) when the forward run is past its point of no return. */
export async function refuseUndoPastNoReturn(db: Db, manifest: Manifest, files: readonly RunbookFile[], checksum: string, dir: string): Promise<void> {
  const forward = loadSteps(manifest, files, false);
  if (!forward.some((s) => s.header.pointOfNoReturn)) return;
  const journal = await new Journal(db, manifest.inputs.workSchema, manifest.inputs.incident, checksum).history();
  const passed = noReturnPassed(forward, journal);
  if (!passed) return;
  const { step, row } = passed;
  const when = row.finished_at ?? row.started_at;
  const evidence = `${row.file} is ${row.status}${when ? ` since ${new Date(when).toISOString()}` : ''}`;
  throw checkError(
    `undo refused: the forward run is past its point of no return, step ${step.header.number} (${step.header.title}): ${evidence}. ` +
      `Undo could no longer put back exactly what it promises; nothing was changed. ` +
      `The way back is forward: re-stitching. Finish the forward run: restitch run ${dir}`,
  );
}

/**
 * Pure: the undo journal row that shows undo changed rows (a change or batch step that affected
 * any), or null. Rows before a holding wait (`restitch:hold`, `held` by file) that failed do not
 * count: that wait found what undo put back gone again (the clean-up routine deleted a restored
 * entity), it stopped undo before anything else was put back, and the way back is forward.
 */
export function undoneRow(undoJournal: readonly JournalRow[], held: ReadonlySet<string> = new Set()): JournalRow | null {
  const broken = undoJournal.find((r) => held.has(r.file) && r.status === 'failed');
  return undoJournal.find((r) => (r.kind === 'change' || r.kind === 'batch') && Number(r.rows_affected) > 0 && !(broken && r.step < broken.step)) ?? null;
}

/**
 * Refuses (exit 1, nothing written) a forward run once the undo runbook has put rows back,
 * unless undo stopped at a holding wait that failed (see undoneRow): then the forward run goes on
 * where it stopped, its own checks judging the state undo left.
 */
export async function refuseForwardAfterUndo(db: Db, manifest: Manifest, files: readonly RunbookFile[], checksum: string): Promise<void> {
  const undoJournal = await new Journal(db, manifest.inputs.workSchema, `${manifest.inputs.incident}:undo`, checksum).history();
  const held = new Set(loadSteps(manifest, files, true).filter((s) => s.header.holdSeconds !== undefined).map((s) => s.file));
  const row = undoneRow(undoJournal, held);
  if (!row) return;
  const when = row.finished_at ?? row.started_at;
  throw checkError(
    `the undo runbook has put rows back (${row.file}: ${row.rows_affected} rows${when ? `, ${new Date(when).toISOString()}` : ''}), ` +
      `so this forward run cannot resume where it stopped: its journal and working tables describe changes that were undone. Nothing was changed. ` +
      `To reset again, generate the runbook with another --incident and run that one`,
  );
}

/**
 * After a step before the point of no return failed: how a corrected runbook goes on. A
 * regenerated runbook is another version, whose preflight refuses the working tables this one
 * stamped. `--reuse-backups` is advised only where it cannot lose events: on the current schema
 * (`scopeMustMatch`) only for a version that chooses the same rows, since the batch steps resume
 * after the highest key done and a key added below it would never be reset (the preflight refuses
 * any other, templates/partials/common/backup-stamp.hbs); a change of the entities or the filter
 * goes by undo and another --incident. On the legacy schema the backed-up checks compare each
 * backup with the live choice both ways before anything changes. Empty when the runbook has no
 * point of no return or the step is at or past it.
 */
export function regenerateAdvice(forward: readonly RunStep[], failed: RunStep, scopeMustMatch: boolean): string {
  const noReturn = forward.find((s) => s.header.pointOfNoReturn);
  if (!noReturn || failed.header.number >= noReturn.header.number) return '';
  const head = `if the runbook itself must change (a condition, an option), nothing irreversible has run (the point of no return is step ${noReturn.header.number}): `;
  if (!scopeMustMatch) {
    return `${head}generate it again with the same --incident and --reuse-backups, and run that one from its step 1; it goes on with the working tables and backups taken so far`;
  }
  return (
    `${head}if it chooses the same entities with the same --where and event-time window, generate it again with the same --incident and --reuse-backups and run that one from its step 1 (it goes on with the backups taken so far); ` +
    `if it chooses other entities or another filter, the backups taken so far cannot be reused (the batch steps resume after the highest key done, so a key added below it would be skipped): ` +
    `undo this run (the same command with --undo), then generate the corrected runbook with another --incident`
  );
}
