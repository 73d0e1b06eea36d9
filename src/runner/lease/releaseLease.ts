/**
 * `restitch release-lease`: gives back the lease of a run that is gone where this host cannot
 * see it (another machine, a container), as Liquibase's `release-locks` does for its lock
 * (https://docs.liquibase.com/commands/utility/release-locks.html). It shows the holder, asks
 * (or takes `--yes`), deletes that holder's row only, and records the release in the journal's
 * history. A live run whose lease is released stops at its next heartbeat or write (heldLease.ts).
 */
import { checkError } from '../../core/errors.js';
import { Journal } from '../journal.js';
import { historyTable, releasedRow } from '../history/journalHistory.js';
import { whoAmI } from '../history/who.js';
import { confirmRelease } from '../prompt/confirmRelease.js';
import { connectChecked } from '../runner.js';
import type { RunbookSource, RunDeps } from '../types.js';
import { describeHolder, isGone, isLive, LeaseTable, type LeaseHolder } from './lease.js';

/** What release-lease did: the holder it found (null: none), and whether it released it. */
export interface ReleaseReport {
  holder: LeaseHolder | null;
  released: boolean;
  /** Ctrl-C at the question (exit 130). */
  interrupted?: boolean;
}

export async function releaseLease(source: RunbookSource, yes: boolean, deps: Pick<RunDeps, 'connect' | 'ui' | 'signal'>): Promise<ReleaseReport> {
  const { manifest } = source;
  const { workSchema, incident } = manifest.inputs;
  const { db } = await connectChecked(deps, manifest);
  try {
    const table = new LeaseTable(db, workSchema, incident);
    const holder = await table.holder();
    if (!holder) {
      deps.ui.say(`no run holds the lease of incident ${incident}: nothing to release`);
      return { holder: null, released: false };
    }
    deps.ui.say(`the lease of incident ${incident} is held by ${describeHolder(holder)}`);
    if (isGone(holder)) deps.ui.say(`its process is gone from this host: 'restitch run' would take the lease over by itself`);
    else if (isLive(holder)) {
      deps.ui.say(
        `WARNING: it heartbeats: that run looks alive. Released, it stops at its next heartbeat or journal write, but a statement it is running goes on until then. Release only a run you know is gone (its machine or container is down)`,
      );
    } else deps.ui.say(`it stopped heartbeating ${Math.round(holder.ageSeconds)}s ago (its timeout ${holder.timeoutMs / 1000}s)`);
    const how = await confirmRelease(deps, yes, `Release the lease of run ${holder.runId.slice(0, 8)} (${holder.host} pid ${holder.pid})?`, 'the lease was kept');
    if (how === 'interrupted') return { holder, released: false, interrupted: true };
    const gone = await db.query(`DELETE FROM ${table.table} WHERE incident = $1 AND run_id = $2`, [incident, holder.runId]);
    if (gone.rowCount === 0) throw checkError(`the lease changed while asking (released, or taken over by another run): nothing was done; 'restitch status ${source.dir}' shows it now`);
    await new Journal(db, workSchema, holder.runbook, holder.checksum).ensure();
    const who = whoAmI();
    await db.query(releasedRow(historyTable(workSchema)), [
      holder.runbook, holder.checksum, holder.step ?? 0,
      `lease of run ${holder.runId} (${holder.host} pid ${holder.pid}) released by restitch release-lease`,
      how, who.osUser, who.host, holder.runId,
    ]);
    deps.ui.say(`released the lease of run ${holder.runId.slice(0, 8)}; recorded in ${historyTable(workSchema)}`);
    return { holder, released: true };
  } finally {
    await db.close();
  }
}
