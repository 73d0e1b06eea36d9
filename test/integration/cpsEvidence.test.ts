/**
 * The CPS guard that reads the data: the checks before the point of no return look for profile
 * stitching's own marks since the runbook began (its working tables' stamp), entities modified
 * and events stitched after it, which the count of 'Meiro CPS' sessions cannot see: CPS enabled
 * but idle when the preflight counted its sessions, then stitching while no session is connected
 * at any check. In each state below the old checks passed and the run went on.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/runner/types.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent, snapshot } from '../../src/sandbox/seed.js';
import { fixedRule, stitchCurrent } from '../../src/sandbox/simulator.js';
import { COCKROACH_COMPAT_SQL, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { runInProcess } from '../helpers/runner.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const PREFLIGHT = 3;
const ARRIVED = '00000000-0000-4000-8000-0000000000ee';

/** CPS, enabled again by someone after the preflight and idle until now: one new event carrying E1's a1, stitched into E1. No 'Meiro CPS' session stays connected. */
async function cpsStitchesUnseen(db: pg.Client): Promise<void> {
  await db.query(`INSERT INTO customer_events (id, event_time, payload) VALUES ('${ARRIVED}', now(), '{"ps_identifier": "a1"}')`);
  expect(await stitchCurrent(db, fixedRule)).toBe(1);
  const sessions = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'Meiro CPS'`);
  expect(sessions.rows[0].n).toBe(0);
}

async function fresh(compat: string): Promise<{ db: pg.Client; url: string }> {
  const name = `cps${++dbCount}`;
  const db = await server.database(name, compat + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, url: server.url(name) };
}

/** The failing rows of the step the run stopped at. */
function stoppedAt(report: RunReport): { step: number; failing: unknown[] } {
  const step = report.steps.find((s) => s.status === 'failed');
  return { step: step?.step ?? 0, failing: (step?.details ?? []).filter((r) => r.ok !== true).map((r) => [r.check_name, r.detail]) };
}

const ENTITY_ROW = 'no entity to reset was modified since this runbook began (profile stitching ran?)';
const EVENT_ROW = 'no event to reset was stitched since this runbook began (profile stitching ran?)';

describe('the export check sees stitching since the runbook began, with no CPS session connected', () => {
  for (const [dialect, run, compat] of [['postgres', runInProcess, ''], ['cockroachdb', runOnLane, COCKROACH_COMPAT_SQL]] as const) {
    it(`multi-entity ${dialect}: an entity to reset modified after the stamp stops the run at export-complete, before any reset`, async () => {
      const { db, url } = await fresh(compat);
      const dir = join(EXAMPLES_DIR, `multi-entity-${dialect}`);
      expect((await run(dir, url, { to: PREFLIGHT })).exitCode).toBe(0);
      await cpsStitchesUnseen(db);
      const before = await snapshot(db, false);
      const report = await run(dir, url, { to: 9 });
      expect(report.exitCode).toBe(1);
      const { step, failing } = stoppedAt(report);
      expect(step).toBe(9);
      expect(failing).toEqual([
        [ENTITY_ROW, expect.stringMatching(new RegExp(`^1 entities modified after .* \\(e\\.g\\. ${E1}\\): profile stitching ran`))],
        [EVENT_ROW, expect.stringMatching(new RegExp(`^1 events stitched after .* \\(e\\.g\\. ${ARRIVED}\\)`))],
      ]);
      // Nothing was reset: the platform is as CPS left it.
      expect(await snapshot(db, false)).toEqual(before);
      expect(await orphanedEvents(db)).toEqual([]);
      await db.end();
    }, 60_000);
  }

  it('the same run without CPS in between passes export-complete', async () => {
    const { db, url } = await fresh('');
    const report = await runInProcess(join(EXAMPLES_DIR, 'multi-entity-postgres'), url, { to: 9 });
    expect(report.exitCode, JSON.stringify(stoppedAt(report))).toBe(0);
    await db.end();
  }, 60_000);
});

describe('the entity reset check of the full reset sees it too', () => {
  it('full-reset: an event CPS stitched after the stamp (and backed up as such) stops the run at the first check after it, before any reset', async () => {
    const { db, url } = await fresh('');
    const dir = join(EXAMPLES_DIR, 'full-reset-postgres');
    expect((await runInProcess(dir, url, { to: PREFLIGHT })).exitCode).toBe(0);
    await cpsStitchesUnseen(db);
    const report = await runInProcess(dir, url, { to: 10 });
    const { step, failing } = stoppedAt(report);
    // The entity backup's check (step 6) sees the entity CPS wrote; nothing was reset.
    expect(step).toBe(6);
    expect(failing.map((row) => (row as unknown[])[0])).toContain(ENTITY_ROW);
    expect(await db.query(`SELECT 1 FROM customer_attributes WHERE modified IS NULL`).then((r) => r.rowCount)).toBe(0);
    await db.end();
  }, 60_000);
});
