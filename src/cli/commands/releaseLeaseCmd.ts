/** `restitch release-lease DIR`: a thin handler over src/runner/lease/releaseLease.ts. */
import { connectionTarget } from '../../runner/connection/connection.js';
import { releaseLease, type ReleaseReport } from '../../runner/lease/releaseLease.js';
import { openSession } from '../../runner/connection/session.js';
import { terminalUi } from '../terminalUi.js';
import { source } from './run.js';

/** Shows the holder, asks (unless `--yes`), releases; Ctrl-C at the question keeps the lease. */
export async function releaseLeaseCommand(dir: string, o: Record<string, unknown>): Promise<ReleaseReport> {
  const { src } = source(dir, false);
  const target = connectionTarget(o.db as string | undefined, process.env);
  for (const note of target.notes) process.stderr.write(`${note}\n`);
  const controller = new AbortController();
  const onSignal = () => controller.abort('Ctrl-C');
  process.on('SIGINT', onSignal);
  try {
    return await releaseLease(src, o.yes === true, { connect: () => openSession(target), ui: terminalUi(false, () => 0), signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
  }
}
