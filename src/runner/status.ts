/** `restitch status`: the journal of a runbook, step by step, and where it stopped. */
import type { Manifest } from '../core/manifest.js';
import { Journal, type JournalRow } from './journal.js';
import { isGone, isLive, LeaseTable, takeoverAfter, type LeaseHolder } from './lease/lease.js';
import { loadSteps } from '../core/steps.js';
import { runbookIdentity, verifyChecksums } from './plan.js';
import { readHistory, type HistoryRow } from './history/journalHistory.js';
import { connectChecked } from './runner.js';
import type { RunbookSource, RunDeps, StepStatus } from './types.js';

/** One step of the status report. */
export interface StepStatusRow {
  step: number;
  total: number;
  file: string;
  kind: string;
  title: string;
  status: StepStatus | 'pending';
  journal: JournalRow | null;
  /** Every attempt of this step in this version, oldest first, with who ran it (history/journalHistory.ts). */
  attempts: HistoryRow[];
}

export interface StatusReport {
  runbook: string;
  checksum: string;
  steps: StepStatusRow[];
  /** The first step not done, or null when all are. */
  stoppedAt: number | null;
  /** Journal rows exist for other versions (checksums) of this runbook. */
  otherVersions: string[];
  /**
   * The run holding the incident's lease (this runbook, its undo or another version), or null:
   * `live` while it heartbeats; otherwise `run` takes over after `takeoverAfter`.
   */
  lease: (LeaseHolder & { live: boolean; gone: boolean; takeoverAfter: Date }) | null;
}

export async function readStatus(source: RunbookSource, undo: boolean, deps: Pick<RunDeps, 'connect'>): Promise<StatusReport> {
  const manifest: Manifest = source.manifest;
  const steps = loadSteps(manifest, source.files, undo);
  const id = runbookIdentity(manifest, source.files, undo);
  // The files first, as `run` does: a status of a runbook edited since it ran would be about another runbook.
  verifyChecksums(manifest, source.files, source.dir);
  const { db } = await connectChecked(deps, manifest);
  try {
    const journal = new Journal(db, manifest.inputs.workSchema, id.runbook, id.checksum);
    const rows = await journal.history();
    const attempts = (await readHistory(db, manifest.inputs.workSchema, id.runbook)).filter((h) => h.checksum === id.checksum);
    const holder = await new LeaseTable(db, manifest.inputs.workSchema, manifest.inputs.incident).holder();
    const mine = new Map(rows.filter((r) => r.checksum === id.checksum).map((r) => [r.step, r]));
    const report = steps.map((s): StepStatusRow => {
      const row = mine.get(s.header.number) ?? null;
      return { step: s.header.number, total: s.header.total, file: s.file, kind: s.header.kind, title: s.header.title, status: row?.status ?? 'pending', journal: row, attempts: attempts.filter((h) => h.step === s.header.number) };
    });
    return {
      ...id,
      steps: report,
      stoppedAt: report.find((r) => r.status !== 'done')?.step ?? null,
      otherVersions: [...new Set(rows.filter((r) => r.checksum !== id.checksum).map((r) => r.checksum))],
      lease: holder ? { ...holder, live: isLive(holder), gone: isGone(holder), takeoverAfter: takeoverAfter(holder) } : null,
    };
  } finally {
    await db.close();
  }
}
