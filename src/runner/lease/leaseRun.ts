/** The runner's side of the lease: take it before anything is written, and what a dry run says about it. */
import type { RunbookInputs } from '../../core/types.js';
import { acquireLease, describeHolder, isGone, isLive, LeaseTable, takeoverAfter } from './lease.js';
import { HeldLease } from './heldLease.js';
import type { RunDeps } from '../types.js';
import type { Db } from '../connection/session.js';
import type { RunnerUi } from '../ui.js';

/** What the lease row says about this run. */
export interface LeaseRequest {
  workSchema: string;
  incident: string;
  runbook: string;
  checksum: string;
  timeoutMs: number;
  /** The runbook's directory, for the refusal's advice. */
  dir: string;
}

/**
 * Heartbeats come four times per timeout (at most every 15 s), so a live run is never seen
 * older than a quarter of its timeout plus the time one heartbeat takes.
 */
export const heartbeatInterval = (timeoutMs: number): number => Math.max(100, Math.min(15_000, Math.floor(timeoutMs / 4)));

/**
 * Takes the incident's lease (refusing, exit 1, when a live run holds it) and starts heartbeating
 * on a connection of its own. A lost lease ends the statement running on `db`.
 */
export async function holdLease(db: Db, req: LeaseRequest, deps: Pick<RunDeps, 'connect' | 'ui'>): Promise<HeldLease> {
  const table = new LeaseTable(db, req.workSchema, req.incident);
  await table.ensure();
  const { runId, tookOverFrom, gone } = await acquireLease(table, db, req, req.dir);
  let beat: Db;
  try {
    beat = await deps.connect('lease');
  } catch (error) {
    await db.query(`DELETE FROM ${table.table} WHERE incident = $1 AND run_id = $2`, [req.incident, runId]).catch(() => {});
    throw error;
  }
  if (tookOverFrom && gone) {
    deps.ui.say(`took over the lease of a run whose process is gone (pid ${tookOverFrom.pid} on this host): ${describeHolder(tookOverFrom)}`);
  } else if (tookOverFrom) {
    deps.ui.say(`took over the lease of a run that stopped heartbeating: ${describeHolder(tookOverFrom)} (its timeout ${tookOverFrom.timeoutMs / 1000}s)`);
  }
  const beatTable = new LeaseTable(beat, req.workSchema, req.incident);
  return new HeldLease(beatTable, runId, beat, heartbeatInterval(req.timeoutMs), () => void db.interrupt().catch(() => {}), (t) => deps.ui.say(t));
}

/** A dry run takes no lease (it writes nothing), but says when another run holds one; true when that run is live. */
export async function sayLeaseHolder(db: Db, inputs: Pick<RunbookInputs, 'workSchema' | 'incident'>, ui: RunnerUi): Promise<boolean> {
  const h = await new LeaseTable(db, inputs.workSchema, inputs.incident).holder();
  if (!h) return false;
  ui.say(
    isLive(h)
      ? `a run holds this incident's lease now (${describeHolder(h)}): the dry run reads data that run is changing`
      : isGone(h)
        ? `a run's process is gone (${describeHolder(h)}); 'restitch run' takes over its lease at once`
        : `a run stopped heartbeating (${describeHolder(h)}); 'restitch run' will take over its lease after ${takeoverAfter(h).toISOString()}`,
  );
  return isLive(h);
}
