/**
 * The platform running beside `restitch run`, as it does in production: the clean-up routine and
 * the recalculation all the time, the stitcher once the runbook's journal says CPS was enabled
 * again (or while the test makes it run: `cpsOn`, `cpsWindows`), and new events arriving. Its own
 * connection, with its own application_name: a session-count guard does not see it, as it does
 * not see a CPS that is enabled but idle.
 */
import pg from 'pg';
import { platformModel, type PlatformModel, type PlatformOptions } from './platformModel.js';

/** A running platform loop; `schedule`, `cpsOn` and `cpsOff` act on its model from the next round on. */
export interface PlatformLoop extends Pick<PlatformModel, 'schedule' | 'cpsOn' | 'cpsOff'> {
  /** Resolves after a whole round, begun after the call, found nothing to do and nothing due later. */
  settled(): Promise<void>;
  /** Rows of the events that have arrived so far, as they arrived. */
  arrived(): Record<string, unknown>[];
  /** Ends the loop after its current round. */
  stop(): Promise<void>;
}

export function platformBeside(url: string, legacy: boolean, journalTable: string, options: PlatformOptions & { pauseMs?: number } = {}): PlatformLoop {
  const model = platformModel(legacy, options);
  let running = true;
  let started = 0;
  const waiters: { after: number; resolve: () => void }[] = [];
  let failure: unknown;
  const loop = (async () => {
    const db = new pg.Client({ connectionString: url, application_name: 'platform-simulator' });
    db.on('error', () => {});
    await db.connect();
    try {
      while (running) {
        const index = started++;
        // The journal table appears with the first step; until then CPS counts as disabled. Several
        // runbooks (incidents) may share the journal: CPS is as the latest of their disable and
        // enable steps left it.
        const enabled = await db
          .query(
            `SELECT file LIKE '%enable-cps.sql' AS enabled FROM ${journalTable}
             WHERE (file LIKE '%enable-cps.sql' OR file LIKE '%disable-cps.sql') AND status = 'done' AND runbook NOT LIKE '%:undo'
             ORDER BY finished_at DESC NULLS LAST LIMIT 1`,
          )
          .then((r) => r.rows[0]?.enabled === true, () => false);
        const { changed, pending } = await model.round(db, enabled);
        if (changed === 0 && !pending) {
          for (const w of waiters.filter((x) => x.after <= index)) w.resolve();
          waiters.splice(0, waiters.length, ...waiters.filter((x) => x.after > index));
        }
        await new Promise((r) => setTimeout(r, options.pauseMs ?? 30));
      }
    } finally {
      await db.end().catch(() => {});
    }
    // A round that failed (the database gone under it) ends the loop; stop() reports it, so no
    // rejection is left unhandled when a test ends without stopping the loop.
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    settled: () => new Promise<void>((resolve) => waiters.push({ after: started, resolve })),
    arrived: () => model.arrived(),
    schedule: (more) => model.schedule(more),
    cpsOn: (rule) => model.cpsOn(rule),
    cpsOff: () => model.cpsOff(),
    async stop() {
      running = false;
      await loop;
      if (failure !== undefined) throw failure;
    },
  };
}
