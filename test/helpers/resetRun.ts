/** A multi-entity runbook driven up to its batched event reset, and what tests count there. */
import { join } from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { E1, E2 } from '../../src/sandbox/seed.js';
import { runCli } from './cli.js';
import { platformBeside, runInProcess } from './runner.js';

export const JOURNAL = 'external_data.restitch_journal';
/** The batched event reset of the multi-entity runbook. */
export const RESET_STEP = 13;

/** A multi-entity runbook for E1 and E2 with `batchSize`, in `work`/`name`. */
export function multiEntityRunbook(work: string, name: string, batchSize: number): string {
  const out = join(work, name);
  const r = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', name, '--entity', E1, '--entity', E2, '--batch-size', String(batchSize), '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

/** Runs the steps before the event reset (the clean-up routine beside), so the next step is the batched event reset. */
export async function upToReset(dir: string, url: string): Promise<void> {
  const platform = platformBeside(url, false, JOURNAL);
  const report = await runInProcess(dir, url, { to: RESET_STEP - 1 });
  await platform.stop();
  expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
}

export const count = async (db: pg.Client, sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n);
export const doneCount = (db: pg.Client, incident: string): Promise<number> => count(db, `SELECT count(*) AS n FROM external_data.rs_${incident.replace(/-/g, '_')}_events_reset_done`);
