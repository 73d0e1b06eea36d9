import { spawn } from 'node:child_process';
import { runInProcess as runRunbookInProcess } from '../../src/runner/runInProcess.js';
import type { RunOptions, RunReport } from '../../src/runner/types.js';
import { silentUi, type RunnerUi } from '../../src/runner/ui.js';
import { platformBeside as beside, type PlatformLoop } from '../../src/sandbox/platformBeside.js';
import type { PlatformOptions } from '../../src/sandbox/platformModel.js';
import { BIN, ROOT } from './cli.js';
import { readRunbook, writeRunbook } from '../../src/io/runbookFs.js';
import { rerender } from '../../src/io/rerender.js';
import { loadTemplates } from '../../src/io/templateStore.js';
import { manualSteps } from '../../src/runner/plan.js';

/** `--confirm N,M` naming the steps of `dir` done by hand (--yes does not confirm them); `dir` may end in /undo. */
export function confirmManual(dir: string): string[] {
  const undo = /\/undo\/?$/.test(dir);
  const steps = manualSteps(readRunbook(dir.replace(/\/undo\/?$/, '')).manifest, undo);
  return steps.length > 0 ? ['--confirm', steps.join(',')] : [];
}

/** Counts every committed UPDATE of each event, so "reset twice" cannot hide behind an idempotent value. */
export const COUNT_UPDATES = `
CREATE TABLE update_counts (id uuid PRIMARY KEY, n int NOT NULL);
CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO update_counts VALUES (NEW.id, 1) ON CONFLICT (id) DO UPDATE SET n = update_counts.n + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER count_update BEFORE UPDATE ON customer_events FOR EACH ROW EXECUTE FUNCTION count_update();
`;

/** The clean-up routine's delay in tests: long enough to be a real window, short enough to wait out. */
export const TEST_CLEANUP_DELAY_MS = 200;

/** The platform beside a run, with the test's clean-up delay unless told otherwise. */
export function platformBeside(url: string, legacy: boolean, journalTable: string, options: PlatformOptions = {}): PlatformLoop {
  return beside(url, legacy, journalTable, { cleanupDelayMs: TEST_CLEANUP_DELAY_MS, ...options });
}

/** A running `restitch` process. */
export interface Running {
  pid: number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the built CLI without waiting for it. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid ?? -1, done, kill: (s) => child.kill(s) };
}


/**
 * Runs a runbook in this process (for many small runs, where a process per run would be slow), with
 * short waits. `signal` stands for Ctrl-C: aborted, the run ends interrupted (exit 130), as a
 * deadline for a wait that cannot pass.
 */
export function runInProcess(
  dir: string,
  url: string,
  options: Partial<RunOptions> & { undo?: boolean; signal?: AbortSignal } = {},
  ui: RunnerUi = silentUi,
): Promise<RunReport> {
  const { signal, ...rest } = options;
  return runRunbookInProcess(dir, url, { backoffMs: 50, waitInterval: 0.05, waitHold: 0.2, ...rest }, ui, undefined, signal);
}

/**
 * The runbook of `dir` rendered again, with the same inputs, for incident `incident`, written to
 * `out` (which must not exist): a second incident on the same database, or the way forward that a
 * refusal names ("generate the runbook again with a new --incident").
 */
export async function anotherIncident(dir: string, incident: string, out: string): Promise<string> {
  const { manifest, files } = readRunbook(dir);
  const again = await rerender({ ...manifest, inputs: { ...manifest.inputs, incident } }, loadTemplates(), files);
  writeRunbook(out, again, false);
  return out;
}
