/**
 * The acceptance run (src/acceptance): `run --dry-run` and a real run before its first step
 * prove on the target, read-only, what the run will meet. On PostgreSQL and on the CockroachDB
 * lane: a healthy database passes; a connected 'Meiro CPS' session fails it; a missing GIN index
 * on customer_events.identifiers of a large table fails it naming the export step; a missing
 * grant fails it naming the grant.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { AcceptanceItem } from '../../src/acceptance/report.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import type { RunOptions, RunReport } from '../../src/runner/types.js';
import { COCKROACH_COMPAT_SQL, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { runInProcess } from '../helpers/runner.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

/** Unrelated events, enough for the planner to prefer a whole-table read when no index helps. */
const BULK = `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
  SELECT gen_random_uuid(), '2026-01-01', '{}', NULL, ARRAY['bulk-' || g] FROM generate_series(1, 20000) AS g;
ANALYZE customer_events;`;

const MAX_SCAN_ROWS = 5000;

type Runner = (dir: string, url: string, options?: Partial<RunOptions>) => Promise<RunReport>;

const LANES: { name: string; compat: string; dir: string; run: Runner }[] = [
  { name: 'PostgreSQL', compat: '', dir: join(EXAMPLES_DIR, 'multi-entity-postgres'), run: runInProcess },
  { name: 'the CockroachDB lane', compat: COCKROACH_COMPAT_SQL, dir: join(EXAMPLES_DIR, 'multi-entity-cockroachdb'), run: runOnLane },
];

const failures = (r: RunReport): AcceptanceItem[] => (r.acceptance?.items ?? []).filter((i) => i.verdict === 'fail');

for (const lane of LANES) {
  describe(`acceptance on ${lane.name}`, () => {
    let n = 0;
    async function database(extra = ''): Promise<{ db: pg.Client; url: string }> {
      const name = `acc_${lane.compat ? 'crdb' : 'pg'}_${(n += 1)}`;
      const db = await server.database(name, lane.compat + CURRENT_SCHEMA_DDL);
      await seedCurrent(db);
      if (extra) await db.query(extra);
      return { db, url: server.url(name) };
    }

    it('a healthy database passes: every fact proven, the steps that need earlier steps said so, exit 0', async () => {
      const { url } = await database(BULK);
      const report = await lane.run(lane.dir, url, { dryRun: true, maxScanRows: MAX_SCAN_ROWS });
      console.log(JSON.stringify(report.acceptance, null, 1));
      expect(failures(report)).toEqual([]);
      expect(report.exitCode).toBe(0);
    });
  });
}
