/**
 * The waits pass on proof of re-stitching, not on a state something else can leave behind:
 * - current schema: an event counts as re-stitched only when stitched after this runbook began
 *   and not to its backed-up value (an undo-like write puts that back), and not to an identifier
 *   no entity holds (the old rule's orphans);
 * - legacy schema: queue rows that vanish without CPS (nothing matched) do not end the wait.
 * Each state is one the old waits passed in. The CockroachDB wait runs on the lane.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy } from '../../src/sandbox/seed.js';
import { brokenRule, fixedRule, stitchCurrent, stitchLegacy } from '../../src/sandbox/simulator.js';
import { COCKROACH_COMPAT_SQL, openLaneSession, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const JOURNAL = 'external_data.restitch_journal';
const EVENTS_RESET = 14;
const BACKUP = 'external_data.rs_example_multi_events_backup';
const WAIT = '16-restitched.sql';
type Row = { check_name: string; ok: boolean; detail: string };
const failing = (rows: Row[]) => rows.filter((r) => r.ok !== true).map((r) => r.check_name);

/** A multi-entity run (PostgreSQL, or CockroachDB on the lane) up to its events-reset check, with the clean-up routine beside it. */
async function resetEvents(dialect: 'postgres' | 'cockroachdb'): Promise<{ db: pg.Client; url: string; wait: () => Promise<Row[]> }> {
  const name = `w${++dbCount}`;
  const db = await server.database(name, (dialect === 'cockroachdb' ? COCKROACH_COMPAT_SQL : '') + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  const url = server.url(name);
  const dir = join(EXAMPLES_DIR, `multi-entity-${dialect}`);
  const platform = platformBeside(url, false, JOURNAL);
  const report = await (dialect === 'cockroachdb' ? runOnLane : runInProcess)(dir, url, { to: EVENTS_RESET });
  await platform.stop();
  expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
  const sql = readFileSync(join(dir, WAIT), 'utf8');
  const wait = async (): Promise<Row[]> => {
    if (dialect === 'postgres') return (await db.query<Row>(sql)).rows;
    // The CockroachDB statement as written (AS OF SYSTEM TIME on the outer SELECT), through the lane.
    const session = await openLaneSession(connectionTarget(url, {}));
    try {
      return (await session.query<Row>(sql)).rows;
    } finally {
      await session.close();
    }
  };
  return { db, url, wait };
}

/** What an undo (this incident's, or another's over the same rows) writes: the entities back, then the events' stitched and identifiers. */
const UNDO_LIKE = `INSERT INTO customer_attributes (customer_entity_id, modified, calculated, identifiers)
  SELECT customer_entity_id, modified, modified, identifiers FROM external_data.rs_example_multi_entities_backup
  ON CONFLICT (customer_entity_id) DO UPDATE SET modified = excluded.modified, identifiers = excluded.identifiers;
UPDATE customer_events AS e SET stitched = b.stitched, identifiers = b.identifiers FROM ${BACKUP} AS b WHERE b.id = e.id`;

describe('the re-stitch wait needs every reset event stitched since the reset, to identifiers an entity holds', () => {
  for (const dialect of ['postgres', 'cockroachdb'] as const) {
    it(`${dialect}: stitched again by an undo-like write (the old stitched put back): the wait stays not ok`, async () => {
      const { db, wait } = await resetEvents(dialect);
      expect(failing(await wait())).toContain('profile stitching has stitched every reset event since this runbook reset it');
      await db.query(UNDO_LIKE);
      expect((await db.query(`SELECT count(*)::int AS n FROM customer_events WHERE stitched IS NULL`)).rows[0].n).toBe(0);
      const rows = await wait();
      // Every event is stitched, to identifiers its entity holds again: only the time tells.
      expect(failing(rows)).toEqual(['profile stitching has stitched every reset event since this runbook reset it']);
      expect(rows[0]?.detail).toMatch(/^5 events not stitched since .* \(e\.g\. 00000000-0000-4000-8000-000000000001\)$/);
      await db.end();
    }, 60_000);
  }

  it('stitched by the old rule into an entity since deleted (its events orphaned): the wait stays not ok, naming one', async () => {
    const { db, wait } = await resetEvents('postgres');
    // CPS with the old rule glues the "None" events into one entity, which is then deleted.
    await stitchCurrent(db, brokenRule);
    await db.query(`DELETE FROM customer_attributes WHERE 'None' = ANY (identifiers)`);
    const rows = await wait();
    expect(failing(rows)).toEqual(['no reset event is stitched to an identifier no entity holds']);
    expect(rows[1]?.detail).toBe('2 events stitched to identifiers no entity holds (e.g. event 00000000-0000-4000-8000-000000000001; identifier None)');
    await db.end();
  }, 60_000);

  it('stitched by CPS with the corrected rule: the wait passes', async () => {
    const { db, wait } = await resetEvents('postgres');
    await stitchCurrent(db, fixedRule);
    expect(failing(await wait())).toEqual([]);
    await db.end();
  }, 60_000);
});

describe('the legacy waits need a trace of CPS, not only an empty queue', () => {
  for (const [example, queued, waitFile] of [['legacy-steps-postgres', 15, '17-restitched.sql'], ['orphan-recovery-postgres', 6, '08-restitched.sql']] as const) {
    async function queuedState(): Promise<{ db: pg.Client; wait: () => Promise<Row[]> }> {
      const name = `w${++dbCount}`;
      const db = await server.database(name, LEGACY_SCHEMA_DDL);
      await seedLegacy(db);
      const dir = join(EXAMPLES_DIR, example);
      const report = await runInProcess(dir, server.url(name), { to: queued });
      expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
      const file = readFileSync(join(dir, waitFile), 'utf8');
      return { db, wait: async () => (await db.query<Row>(file)).rows };
    }

    it(`${example}: the queue rows vanish without CPS (deleted by something else): the wait stays not ok`, async () => {
      const { db, wait } = await queuedState();
      expect((await db.query('DELETE FROM cdp_ps.customer_events_to_process')).rowCount).toBeGreaterThan(0);
      const rows = await wait();
      expect(failing(rows)).toEqual(['CPS has stitched queued events (their cdp_ps.matching rows: the trace of its work)']);
      expect(rows[1]?.detail).toMatch(/^0 of \d+ queued events have a matching row/);
      await db.end();
    }, 60_000);

    it(`${example}: CPS processed the queue: the wait passes, counting the events left without a matching row`, async () => {
      const { db, wait } = await queuedState();
      await stitchLegacy(db, fixedRule);
      const rows = await wait();
      expect(failing(rows)).toEqual([]);
      expect(rows[0]?.detail).toMatch(/^0 events still queued; \d+ events left the queue without a matching row/);
      await db.end();
    }, 60_000);
  }
});
