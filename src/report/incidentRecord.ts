/**
 * The incident record as `restitch report` reads it from the working schema: every attempt of
 * every step (forward and undo), the run events (who ran, how it ended, check answers, lease
 * takeovers), the pauses and the batches. Plain data: recordMarkdown.ts and timelineSvg.ts
 * render it, readRecord.ts reads it.
 */

/** One step of the runbook (or its undo) as the runbook names it. */
export interface RecordStep {
  /** `incident` or `incident:undo`. */
  runbook: string;
  number: number;
  kind: string;
  title: string;
}

/** One attempt of one step: a row of the journal history, or of the journal (its latest attempt). */
export interface Attempt {
  runbook: string;
  checksum: string;
  step: number;
  attempt: number;
  status: string;
  startedAt: Date | null;
  endedAt: Date | null;
  rows: number;
  batches: number;
  error: string | null;
  confirmedBy: string | null;
  dbUser: string | null;
  osUser: string | null;
  host: string | null;
  runId: string | null;
}

/** One event of a run (restitch_run_events): 'run', 'run-end', 'check', 'takeover'. */
export interface RunEvent {
  runbook: string;
  runId: string;
  step: number | null;
  at: Date;
  kind: string;
  detail: Record<string, unknown>;
}

/** One pause (restitch_pauses); `endedAt` null while it lasts or when the run was killed in it. */
export interface Pause {
  runbook: string;
  runId: string;
  step: number | null;
  startedAt: Date;
  endedAt: Date | null;
  reason: string;
}

/** One committed batch (restitch_batches). */
export interface BatchRow {
  runbook: string;
  runId: string;
  step: number;
  startedAt: Date;
  endedAt: Date;
  rows: number;
}

export interface IncidentRecord {
  incident: string;
  scenario: string;
  dialect: string;
  workSchema: string;
  /** Where the attempts come from: one row per attempt (history) or per step (journal). */
  source: 'history' | 'journal' | 'none';
  steps: RecordStep[];
  attempts: Attempt[];
  events: RunEvent[];
  pauses: Pause[];
  batches: BatchRow[];
}

/** The undo runbook's id of an incident (runbookIdentity in src/runner/plan.ts). */
export const undoId = (incident: string): string => `${incident}:undo`;

/** Milliseconds between two times, or null when either is missing. */
export const spanMs = (from: Date | null, to: Date | null): number | null => (from && to ? to.getTime() - from.getTime() : null);

/** The time paused during an attempt: its pauses (same runbook and step) clipped to the attempt. */
export function pausedDuring(a: Attempt, pauses: readonly Pause[]): number {
  if (!a.startedAt) return 0;
  const from = a.startedAt.getTime();
  const to = (a.endedAt ?? new Date(8.64e15)).getTime();
  let ms = 0;
  for (const p of pauses) {
    if (p.runbook !== a.runbook || p.step !== a.step || !p.endedAt) continue;
    ms += Math.max(0, Math.min(to, p.endedAt.getTime()) - Math.max(from, p.startedAt.getTime()));
  }
  return ms;
}
