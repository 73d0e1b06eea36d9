/**
 * `restitch run` inside another program (the demo, the tests, the benchmarks): the runbook read
 * from `dir`, a session to `url`, confirmations given (`yes`, and `confirm` naming every step done
 * by hand: the calling program plays the person), and no Ctrl-C wiring (`signal` stands for it).
 */
import { rerender } from '../io/rerender.js';
import { readRunbook } from '../io/runbookFs.js';
import { loadTemplates } from '../io/templateStore.js';
import { connectionTarget, leaseTarget, type ConnectionTarget } from './connection/connection.js';
import { manualSteps } from './plan.js';
import { runRunbook } from './runner.js';
import { openSession } from './connection/session.js';
import type { RunDeps, RunOptions, RunReport } from './types.js';
import { silentUi, type RunnerUi } from './ui.js';

/** `open` connects the runner's session (a test can put a layer in front of it). */
export async function runInProcess(
  dir: string,
  url: string,
  options: Partial<RunOptions> & { undo?: boolean } = {},
  ui: RunnerUi = silentUi,
  open: (target: ConnectionTarget) => ReturnType<RunDeps['connect']> = openSession,
  signal: AbortSignal = new AbortController().signal,
): Promise<RunReport> {
  const target = connectionTarget(url, {});
  const { undo = false, ...rest } = options;
  const runbook = readRunbook(dir);
  const opts: RunOptions = { yes: true, dryRun: false, retries: 3, backoffMs: 200, waitInterval: 0.2, confirm: manualSteps(runbook.manifest, undo), ...rest };
  return runRunbook({ dir, ...runbook }, undo, opts, {
    ui,
    signal,
    redact: target.redact,
    address: target.address,
    connect: (purpose) => open(purpose === 'lease' ? leaseTarget(target) : target),
    rerender: (manifest, files) => rerender(manifest, loadTemplates(), files),
  });
}
