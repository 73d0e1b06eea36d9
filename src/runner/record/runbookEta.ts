/**
 * The whole-runbook progress line said before each step (pure): which step of how many, and the
 * time expected for it and for the steps after it, from the journal. A batch step part-way
 * (resumed) is estimated from its remaining rows at the rate its batches went (rows over the
 * time it ran, pauses taken out); any other step from the last time it finished, in any version
 * of the runbook. Steps never run before are counted, not guessed.
 */
import type { JournalRow } from '../journal.js';
import type { RunStep } from '../types.js';
import { formatPause } from '../throttle/decide.js';

type Row = JournalRow & { paused_ms?: number | string | null };

const ranMs = (r: Row): number | null =>
  r.started_at && r.finished_at ? Math.max(0, r.finished_at.getTime() - r.started_at.getTime() - Number(r.paused_ms ?? 0)) : null;

/** Milliseconds step `n` is expected to take, or null when the journal cannot say. */
export function expectedMs(n: number, history: readonly Row[], checksum: string): number | null {
  const current = history.find((r) => r.step === n && r.checksum === checksum);
  if (current && current.status !== 'done' && current.progress_total != null && current.rows_affected > 0) {
    const ms = ranMs(current);
    const left = current.progress_total - (current.progress_done ?? 0);
    if (ms !== null && ms > 0 && left >= 0) return Math.round((left * ms) / current.rows_affected);
  }
  const done = history.filter((r) => r.step === n && r.status === 'done' && r.finished_at).sort((a, b) => (b.finished_at as Date).getTime() - (a.finished_at as Date).getTime())[0];
  return done ? ranMs(done) : null;
}

/** "runbook: step 13 of 16 next; expected 40 s for it, 1 min 05 s for the 3 steps after it (1 never run before)". */
export function runbookLine(run: readonly RunStep[], index: number, history: readonly Row[], checksum: string): string {
  const step = run[index] as RunStep;
  const rest = run.slice(index + 1);
  const head = `runbook: step ${step.header.number} of ${step.header.total} next`;
  const mine = expectedMs(step.header.number, history, checksum);
  const after = rest.map((s) => expectedMs(s.header.number, history, checksum));
  const known = after.filter((ms): ms is number => ms !== null);
  if (mine === null && known.length === 0) return `${head}, ${rest.length} more after it; no earlier run in the journal to estimate from`;
  const parts = [`expected ${mine === null ? 'unknown' : formatPause(mine)} for it`];
  if (rest.length > 0) {
    const unknown = after.length - known.length;
    parts.push(`${formatPause(known.reduce((a, b) => a + b, 0))} for the ${rest.length} step${rest.length === 1 ? '' : 's'} after it${unknown > 0 ? ` (${unknown} never run before)` : ''}`);
  }
  return `${head}; ${parts.join(', ')}`;
}
