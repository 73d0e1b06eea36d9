/**
 * The platform running beside `restitch run`, as it does in production: the clean-up routine and
 * the recalculation all the time, the stitcher once the runbook's journal says CPS was enabled
 * again. Its own connection, with its own application_name.
 */
import pg from 'pg';
import { fixedRule, platformRound, type Normalise } from './simulator.js';

/** A running platform loop; `stop` ends it after its current round. */
export interface PlatformLoop {
  stop(): Promise<void>;
}

export function platformBeside(url: string, legacy: boolean, journalTable: string, rule: Normalise = fixedRule, pauseMs = 30): PlatformLoop {
  let running = true;
  const loop = (async () => {
    const db = new pg.Client({ connectionString: url, application_name: 'platform-simulator' });
    db.on('error', () => {});
    await db.connect();
    try {
      while (running) {
        // The journal table appears with the first step; until then CPS counts as disabled.
        const enabled = await db
          .query(`SELECT 1 FROM ${journalTable} WHERE file LIKE '%enable-cps.sql' AND status = 'done' AND runbook NOT LIKE '%:undo'`)
          .then((r) => (r.rowCount ?? 0) > 0, () => false);
        await platformRound(db, legacy, enabled, rule);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    } finally {
      await db.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
