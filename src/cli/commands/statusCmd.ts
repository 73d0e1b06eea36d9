/** `restitch status`: a thin handler over src/runner/status.ts. */
import { connectionTarget } from '../../runner/connection/connection.js';
import { describeHolder } from '../../runner/lease/lease.js';
import { formatStatusLine } from '../../runner/report.js';
import { openSession } from '../../runner/connection/session.js';
import { readStatus, type StatusReport } from '../../runner/status.js';
import { paintFor } from '../colour.js';
import { source } from './run.js';

/** What `status` says about the run holding the lease: running now, or stopped heartbeating. */
function leaseLine(l: NonNullable<StatusReport['lease']>): string {
  if (l.live) return `running now: ${describeHolder(l)}`;
  if (l.gone) return `a run by ${l.host} pid ${l.pid} (${l.runbook}, run ${l.runId.slice(0, 8)}) is gone (no such process on this host)${l.step === null ? '' : ` during step ${l.step}`}; 'restitch run' takes over its lease at once`;
  return `a run by ${l.host} pid ${l.pid} (${l.runbook}, run ${l.runId.slice(0, 8)}) stopped heartbeating at ${l.heartbeatAt.toISOString()}${l.step === null ? '' : ` during step ${l.step}`}; 'restitch run' will take over after ${l.takeoverAfter.toISOString()}`;
}

export async function status(dir: string, o: Record<string, unknown>): Promise<{ report: StatusReport; text: string }> {
  const { src, undo } = source(dir, o.undo === true);
  const target = connectionTarget(o.db as string | undefined, process.env);
  for (const note of target.notes) process.stderr.write(`${note}\n`);
  const report = await readStatus(src, undo, {
    connect: () => openSession(target),
  });
  if (o.json === true) return { report, text: `${JSON.stringify(report, null, 2)}\n` };
  const paint = paintFor(process.stdout);
  let text = `${report.runbook} (manifest ${report.checksum.slice(0, 12)})\n`;
  for (const s of report.steps) text += formatStatusLine({ number: s.step, total: s.total, kind: s.kind, title: s.title }, s.journal ?? undefined, s.attempts, paint);
  text += report.stoppedAt === null ? 'every step is done\n' : `next: step ${report.stoppedAt} (restitch run ${src.dir}${undo ? ' --undo' : ''})\n`;
  if (report.lease) text += `${leaseLine(report.lease)}\n`;
  if (report.otherVersions.length > 0) text += `the journal also holds runs of other versions of this runbook: ${report.otherVersions.map((c) => c.slice(0, 12)).join(', ')}\n`;
  return { report, text };
}
