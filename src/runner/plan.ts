/**
 * Pure decisions of the runner: whether a runbook's files are the ones its manifest vouches for,
 * where a run starts, and which steps must not run while CPS is connected.
 */
import { checksumMismatches, compareFiles } from '../core/compare.js';
import { checkError, inputError } from '../core/errors.js';
import { sha256, type Manifest } from '../core/manifest.js';
import type { RunbookFile } from '../core/types.js';
import type { JournalRow } from './journal.js';
import type { RunOptions, RunStep } from './types.js';

/** Refuses (exit 1, naming the files) unless every file matches its sha256 in the manifest. */
export function verifyChecksums(manifest: Manifest, files: readonly RunbookFile[], dir: string): void {
  const problems = checksumMismatches(manifest, files);
  if (problems.length > 0) {
    throw checkError(`${dir}: ${problems.join('; ')}; nothing was run. Regenerate the runbook with 'restitch generate --force' (and review the diff) instead of editing it`);
  }
}

/**
 * Refuses (exit 1, naming the files) unless the files are exactly what the generator renders for
 * the manifest's inputs: a step edited together with its sha256 in manifest.json is caught here.
 */
export function verifyRendering(expected: readonly RunbookFile[], files: readonly RunbookFile[], dir: string): void {
  const drift = compareFiles(expected, files, ['expected', dir]).map((d) => d.path);
  if (drift.length > 0) {
    throw checkError(`${dir}: ${drift.join(', ')} differ from what restitch renders for the manifest's inputs (edited by hand, or made by another restitch version; 'restitch check ${dir}' shows the diff); nothing was run. Regenerate the runbook with 'restitch generate --force' and review the diff`);
  }
}

/** Identity of a runbook version in the journal: its incident, and the sha256 of manifest.json (which holds every file's). */
export function runbookIdentity(manifest: Manifest, files: readonly RunbookFile[], undo: boolean): { runbook: string; checksum: string } {
  const manifestText = files.find((f) => f.path === 'manifest.json')?.content ?? '';
  return { runbook: `${manifest.inputs.incident}${undo ? ':undo' : ''}`, checksum: sha256(manifestText) };
}

/** Refuses (exit 2) step numbers the runbook does not have, and --only with --from/--to. */
export function checkSelection(total: number, opts: Pick<RunOptions, 'from' | 'only' | 'to' | 'confirm'>): void {
  for (const [flag, value] of [['--from', opts.from], ['--only', opts.only], ['--to', opts.to], ...(opts.confirm ?? []).map((n) => ['--confirm', n] as const)] as const) {
    if (value !== undefined && (value < 1 || value > total)) throw inputError(`${flag} ${value} is not a step of this runbook (1 to ${total})`);
  }
  if (opts.only !== undefined && (opts.from !== undefined || opts.to !== undefined)) throw inputError('--only cannot be combined with --from or --to');
}

/** The steps this invocation runs, in order, and why it starts where it does. */
export function selectSteps(steps: readonly RunStep[], journal: readonly JournalRow[], opts: Pick<RunOptions, 'from' | 'only' | 'to'>): { run: RunStep[]; note: string } {
  const total = steps.length;
  checkSelection(total, opts);
  if (opts.only !== undefined) return { run: steps.filter((s) => s.header.number === opts.only), note: `only step ${opts.only}` };
  const done = new Set(journal.filter((r) => r.status === 'done').map((r) => r.step));
  let start: number;
  let note: string;
  if (opts.from !== undefined) {
    start = opts.from;
    const skipped = steps.filter((s) => s.header.number < start && !done.has(s.header.number)).map((s) => s.header.number);
    note = skipped.length > 0 ? `from step ${start} (--from); steps ${skipped.join(', ')} were never done` : `from step ${start} (--from)`;
  } else {
    start = steps.find((s) => !done.has(s.header.number))?.header.number ?? total + 1;
    const interrupted = journal.find((r) => r.step === start && r.status !== 'done');
    note =
      start > total ? 'every step is done'
      : start === 1 && !interrupted ? 'from the start'
      : interrupted ? `resuming at step ${start}, which was ${interrupted.status === 'running' ? 'interrupted' : interrupted.status}; it runs again from its start`
      : `resuming at step ${start}`;
  }
  const end = opts.to ?? total;
  if (end < start && start <= total) throw inputError(`--to ${end} is before the first step to run (${start})`);
  return { run: steps.filter((s) => s.header.number >= start && s.header.number <= end), note };
}

/**
 * Step numbers that change data while CPS must be off: change and batch steps after the
 * `disable-cps` manual step and before `enable-cps`. Before each of them the runner itself checks
 * that no 'Meiro CPS' session is connected, in addition to the runbook's preflight.
 */
export function cpsGuardedSteps(steps: readonly RunStep[]): Set<number> {
  const guarded = new Set<number>();
  let off = false;
  for (const s of steps) {
    if (s.slug === 'disable-cps') off = true;
    else if (s.slug === 'enable-cps') off = false;
    else if (off && (s.header.kind === 'change' || s.header.kind === 'batch')) guarded.add(s.header.number);
  }
  return guarded;
}

/** Numbers of the steps a person does by hand (the ones `--yes` does not confirm). */
export function manualSteps(manifest: Manifest, undo: boolean): number[] {
  return (undo ? manifest.undo : manifest.steps).flatMap((s, i) => (s.kind === 'manual' ? [i + 1] : []));
}
