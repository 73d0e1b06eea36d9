import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, E3, seedCurrent, seedPartialOverlap, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { confirmManual, platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
let dbCount = 0;

beforeAll(() => server.start());
afterAll(() => server.stop());

const DIR = join(EXAMPLES_DIR, 'multi-entity-postgres');
const JOURNAL = 'external_data.restitch_journal';
const ENTITIES_DELETED = 12;

async function fresh(): Promise<{ db: pg.Client; name: string; url: string }> {
  const name = `u${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, name, url: server.url(name) };
}

const count = async (db: pg.Client, sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n);
const undoJournalRows = (db: pg.Client) => count(db, `SELECT count(*) AS n FROM ${JOURNAL} WHERE runbook LIKE '%:undo'`);
const undoneEvents = (db: pg.Client) => count(db, 'SELECT count(*) AS n FROM external_data.rs_example_multi_events_undo_done');

describe('undo past the point of no return', () => {
  it('is refused by the runner once the clean-up routine has deleted the entities: nothing changes, no journal is written', async () => {
    const { db, url } = await fresh();
    const platform = platformBeside(url, false, JOURNAL);
    const forward = await runInProcess(DIR, url, { to: ENTITIES_DELETED });
    await platform.stop();
    expect(forward.exitCode, JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))).toBe(0);
    const atRest = await snapshot(db, false);
    const r = runCli(['run', join(DIR, 'undo'), '--db', url, '--yes', ...confirmManual(join(DIR, 'undo'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: undo refused: the forward run is past its point of no return, step 12 \(Wait until the clean-up routine has deleted the entities\): 12-entities-deleted\.sql is done/);
    expect(r.stderr).toContain('nothing was changed. The way back is forward: re-stitching');
    expect(await snapshot(db, false)).toEqual(atRest);
    expect(await undoJournalRows(db)).toBe(0);
    expect(await undoneEvents(db)).toBe(0);
    await db.end();
  });

  it('is refused after a complete forward run (CPS enabled): nothing changes', async () => {
    const { db, url } = await fresh();
    const platform = platformBeside(url, false, JOURNAL);
    const forward = await runInProcess(DIR, url);
    await platform.stop();
    expect(forward.exitCode).toBe(0);
    const atRest = await snapshot(db, false);
    const r = runCli(['run', DIR, '--undo', '--db', url, '--yes', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/undo refused: the forward run is past its point of no return, step 12 .*: 12-entities-deleted\.sql is done/);
    const again = runCli(['run', join(DIR, 'undo'), '--db', url, '--yes', ...confirmManual(join(DIR, 'undo'))]);
    expect(again.code).toBe(1);
    expect(await snapshot(db, false)).toEqual(atRest);
    expect(await undoJournalRows(db)).toBe(0);
    await db.end();
  });

  it('is stopped by its first check when run by hand (the bundle in psql) once an entity is gone: nothing changes', async () => {
    const { db, name, url } = await fresh();
    expect((await runInProcess(DIR, url, { to: ENTITIES_DELETED - 1 })).exitCode).toBe(0);
    // The clean-up routine deletes one entity before the wait step ever ran: the journal cannot know.
    await db.query('DELETE FROM customer_attributes WHERE customer_entity_id = $1 AND modified IS NULL', [E1]);
    const atRest = await snapshot(db, false);
    const bundle = runCli(['bundle', DIR, '--undo']);
    expect(bundle.code).toBe(0);
    // Without -v ON_ERROR_STOP=1: the bundle sets it itself, and its check raises a message naming the step.
    const psql = spawnSync('psql', ['-X', '-q', '-f', '-'], { input: bundle.stdout, env: server.env(name), encoding: 'utf8' });
    expect(psql.status).not.toBe(0);
    expect(psql.stderr).toMatch(/ERROR: {2}restitch: step 3 \(Everything undo puts back still has a place to go\) did not pass \(\d+ row\(s\), not all ok\)/);
    expect(psql.stderr).not.toMatch(/invalid input syntax/);
    // psql stopped there: one error, nothing of the steps after it ran.
    expect(psql.stderr.match(/ERROR:/g)).toHaveLength(1);
    expect(await snapshot(db, false)).toEqual(atRest);
    const report = await runInProcess(DIR, url, { undo: true });
    expect(report.exitCode).toBe(1);
    expect(report.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 3, file: 'undo/03-undo-applies.sql' });
    expect(await snapshot(db, false)).toEqual(atRest);
    await db.end();
  });

  it('puts the entities back all or nothing: an entity deleted between its check and the restore leaves everything as it was', async () => {
    const { db, url } = await fresh();
    expect((await runInProcess(DIR, url, { to: ENTITIES_DELETED - 1 })).exitCode).toBe(0);
    expect((await runInProcess(DIR, url, { undo: true, to: 3 })).exitCode).toBe(0);
    await db.query('DELETE FROM customer_attributes WHERE customer_entity_id = $1 AND modified IS NULL', [E2]);
    const atRest = await snapshot(db, false);
    const report = await runInProcess(DIR, url, { undo: true });
    expect(report.exitCode).toBe(1);
    expect(report.steps.map((s) => [s.step, s.status, s.rows])).toEqual([
      [4, 'done', 0],
      [5, 'failed', 2],
      [6, 'not-executed', null],
      [7, 'not-executed', null],
    ]);
    expect(await snapshot(db, false)).toEqual(atRest);
    await db.end();
  });

  it('once undo has put rows back, the forward run refuses to resume where it stopped: nothing changes', async () => {
    const { db, url } = await fresh();
    const before = await snapshot(db, false);
    expect((await runInProcess(DIR, url, { to: ENTITIES_DELETED - 1 })).exitCode).toBe(0);
    expect((await runInProcess(DIR, url, { undo: true })).exitCode).toBe(0);
    expect(await snapshot(db, false)).toEqual(before);
    const journal = await db.query(`SELECT * FROM ${JOURNAL} ORDER BY runbook, step`);
    const r = runCli(['run', DIR, '--db', url, '--yes', ...confirmManual(DIR)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: the undo runbook has put rows back \(undo\/04-restore-entities\.sql: 2 rows, .*\), so this forward run cannot resume where it stopped.*generate the runbook with another --incident/);
    expect(await snapshot(db, false)).toEqual(before);
    expect((await db.query(`SELECT * FROM ${JOURNAL} ORDER BY runbook, step`)).rows).toEqual(journal.rows);
    await db.end();
  });

  it('resets an event that only partly overlaps a chosen entity with it, and undo before the point of no return puts it back exactly', async () => {
    const { db, url } = await fresh();
    const partly = await seedPartialOverlap(db);
    const before = await snapshot(db, false);
    const slow = platformBeside(url, false, JOURNAL, { cleanupDelayMs: 4000 });
    expect((await runInProcess(DIR, url, { to: ENTITIES_DELETED - 1 })).exitCode).toBe(0);
    // Exported with the entity (its identifiers overlap), so it is reset and backed up with it.
    expect(await count(db, `SELECT count(*) AS n FROM external_data.rs_example_multi_events_backup WHERE id = '${partly}'`)).toBe(1);
    expect((await runInProcess(DIR, url, { undo: true })).exitCode).toBe(0);
    await slow.settled();
    await slow.stop();
    expect(await snapshot(db, false)).toEqual(before);

    const again = await fresh();
    await seedPartialOverlap(again.db);
    const platform = platformBeside(again.url, false, JOURNAL);
    expect((await runInProcess(DIR, again.url)).exitCode).toBe(0);
    await platform.settled();
    await platform.stop();
    expect(await orphanedEvents(again.db)).toEqual([]);
    const owner = await again.db.query('SELECT a.customer_entity_id FROM customer_attributes AS a JOIN customer_events AS e ON e.identifiers <@ a.identifiers WHERE e.id = $1', [partly]);
    expect(owner.rows).toEqual([{ customer_entity_id: E3 }]);
    await again.db.end();
    await db.end();
  });
});
