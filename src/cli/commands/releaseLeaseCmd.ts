/** `restitch release-lease DIR`: a thin handler over src/runner/lease/releaseLease.ts. */
import { connectionTarget } from '../../runner/connection/connection.js';
import { releaseLease, type ReleaseReport } from '../../runner/lease/releaseLease.js';
import { openSession } from '../../runner/connection/session.js';
import type { RunDeps } from '../../runner/types.js';
import { terminalUi } from '../terminalUi.js';
import { source } from './run.js';

/** The connection, a terminal to ask at, and Ctrl-C as an abort while `act` runs (the release commands). */
export async function withReleaseDeps<T>(o: Record<string, unknown>, act: (deps: Pick<RunDeps, 'connect' | 'ui' | 'signal'>) => Promise<T>): Promise<T> {
  const target = connectionTarget(o.db as string | undefined, process.env);
  for (const note of target.notes) process.stderr.write(`${note}\n`);
  const controller = new AbortController();
  const onSignal = () => controller.abort('Ctrl-C');
  process.on('SIGINT', onSignal);
  try {
    return await act({ connect: () => openSession(target), ui: terminalUi(false, () => 0), signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** Shows the holder, asks (unless `--yes`), releases; Ctrl-C at the question keeps the lease. */
export async function releaseLeaseCommand(dir: string, o: Record<string, unknown>): Promise<ReleaseReport> {
  const { src } = source(dir, false);
  return withReleaseDeps(o, (deps) => releaseLease(src, o.yes === true, deps));
}
