/**
 * The multi-entity export on PostgreSQL is one statement (through the GIN index on identifiers),
 * its backup's keys built after it: all of it or nothing. A run killed in the middle leaves no
 * half-written backup and no index, and the next run exports every event once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent, seedGluedEvents } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { confirmManual, runInProcess, startCli } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-export-'));
const GLUED = 300_000;
const BACKUP = 'external_data.rs_export_once_events_backup';

beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const count = async (db: pg.Client, sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the one-statement export (PostgreSQL, multi-entity)', () => {
  it('killed while it runs leaves no half-written backup and no key; run again it exports every event once, and again nothing', async () => {
    const dir = join(work, 'runbook');
    const g = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'export-once', '--entity', E1, '--entity', E2, '--out', dir]);
    expect(g.code, g.stderr).toBe(0);
    const db = await server.database('export_once', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedGluedEvents(db, GLUED);
    await db.query('ANALYZE');
    const url = server.url('export_once');
    const before = await runInProcess(dir, url, { to: 7 });
    expect(before.exitCode, JSON.stringify(before.steps)).toBe(0);

    const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--only', '8']);
    const active = () => count(db, `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'restitch' AND state = 'active' AND query LIKE '%INSERT INTO ${BACKUP}%'`);
    for (let waited = 0; (await active()) === 0; waited += 5) {
      expect(waited, 'the export never showed in pg_stat_activity').toBeLessThan(60_000);
      await sleep(5);
    }
    child.kill('SIGKILL');
    expect((await child.done).signal).toBe('SIGKILL');
    // Its backend finishes the statement, then finds the client gone and rolls the transaction back.
    for (let waited = 0; (await count(db, "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'restitch'")) > 0; waited += 20) {
      expect(waited).toBeLessThan(60_000);
      await sleep(20);
    }
    expect(await count(db, `SELECT count(*) AS n FROM ${BACKUP}`)).toBe(0);
    expect(await count(db, "SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'rs_export_once_events_backup'")).toBe(0);

    // The killed run's lease is taken away at once, as if its timeout had passed (lease.test.ts waits it out).
    await db.query('DELETE FROM external_data.restitch_lease');
    const again = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--only', '8']);
    const r = await again.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resuming at step 8, which was interrupted|8\/16 change\s+done\s+300005 rows/);
    // Every event that shares an identifier with E1 or E2 once: the glued ones and five seeded.
    expect(await count(db, `SELECT count(DISTINCT id) AS n FROM ${BACKUP}`)).toBe(GLUED + 5);
    expect(await count(db, `SELECT count(*) AS n FROM ${BACKUP}`)).toBe(GLUED + 5);
    expect(await count(db, "SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'rs_export_once_events_backup'")).toBe(2);
    const once = await runInProcess(dir, url, { only: 8 });
    expect(once.steps[0]).toMatchObject({ status: 'done', rows: 0 });
    // The check says what the backup holds and about how much disk it takes, close to what it does take.
    const check = await startCli(['run', dir, '--db', url, '--yes', '--only', '9']).done;
    expect(check.code, check.stderr).toBe(0);
    const out = check.stdout + check.stderr;
    expect(out).toMatch(/step 9: passed: (.*; )?0 events would be orphaned/);
    const said = /step 9: passed: .*?(\d+) events in the working table, about ([\d.]+) MB/.exec(out);
    expect(said, out).not.toBeNull();
    expect(Number(said![1])).toBe(GLUED + 5);
    // The killed run's rows are dead space in the heap until a vacuum; the estimate is of the live rows.
    await db.query(`VACUUM FULL ${BACKUP}`);
    const bytes = await count(db, `SELECT pg_total_relation_size('${BACKUP}') AS n`);
    expect(Number(said![2]) * 2 ** 20).toBeGreaterThan(bytes * 0.8);
    expect(Number(said![2]) * 2 ** 20).toBeLessThan(bytes * 1.25);
    await db.end();
  }, 180_000);
});
