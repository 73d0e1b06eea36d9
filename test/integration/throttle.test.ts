import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateThrottleQuery } from '../../src/runner/throttle/throttleQuery.js';
import { silentUi, type RunnerUi } from '../../src/runner/ui.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedGluedEvents } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { confirmManual, runInProcess, startCli } from '../helpers/runner.js';
import { count, doneCount, JOURNAL, multiEntityRunbook, RESET_STEP, upToReset } from '../helpers/resetRun.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-throttle-'));
let dbCount = 0;

beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});


async function seeded(extraEvents: number): Promise<{ db: pg.Client; url: string }> {
  const name = `t${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  if (extraEvents > 0) await seedGluedEvents(db, extraEvents);
  await db.query('CREATE TABLE queue (id int)');
  return { db, url: server.url(name) };
}

const runbook = (name: string, batchSize: number): string => multiEntityRunbook(work, name, batchSize);

const batchesOf = (db: pg.Client) => count(db, `SELECT batches AS n FROM ${JOURNAL} WHERE step = ${RESET_STEP}`);

/** Polls `probe` until it is true, failing after `ms` instead of hanging. */
async function until(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const openPause = (db: pg.Client) => count(db, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'external_data' AND tablename = 'restitch_pauses'").then(async (t) => t > 0 && (await count(db, 'SELECT count(*) AS n FROM external_data.restitch_pauses WHERE ended_at IS NULL')) > 0);

/** A UI that keeps what the runner says. */
function listening(): RunnerUi & { said: string[] } {
  const said: string[] = [];
  return { ...silentUi, said, say: (t) => void said.push(t), activity: (title, latest) => (said.push(`${title}: ${latest}`), { update: (l) => void said.push(`${title}: ${l}`), stop() {} }) };
}

describe('throttle, pause and stop', () => {
  it('a throttle query above its limit holds the batch step with no batch run; the run goes on when it drops', async () => {
    const dir = runbook('throttle-q', 2);
    const { db, url } = await seeded(0);
    await upToReset(dir, url);
    await db.query('INSERT INTO queue SELECT generate_series(1, 48210)');
    const ui = listening();
    const running = runInProcess(dir, url, { to: 14, throttleQuery: await validateThrottleQuery('SELECT count(*) FROM queue'), throttleMax: 20000, throttleIntervalMs: 50 }, ui);
    await until('the pause', () => openPause(db));
    // Held for several readings: still no batch, in the journal, the done table or the batch record.
    await new Promise((r) => setTimeout(r, 400));
    expect(await batchesOf(db)).toBe(0);
    expect(await doneCount(db, 'throttle-q')).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM external_data.restitch_batches WHERE step = ${RESET_STEP}`)).toBe(0);
    expect(ui.said.join('\n')).toMatch(/step 13: paused \d+ s: throttle 48,210 > 20,000/);
    await db.query('DELETE FROM queue');
    const report = await running;
    expect(report.exitCode, JSON.stringify(report.steps)).toBe(0);
    expect(await doneCount(db, 'throttle-q')).toBe(5);
    const pause = (await db.query('SELECT step, reason, ended_at IS NOT NULL AS ended FROM external_data.restitch_pauses')).rows;
    expect(pause).toEqual([{ step: RESET_STEP, reason: 'throttle 48,210 > 20,000', ended: true }]);
    expect(await count(db, `SELECT paused_ms AS n FROM ${JOURNAL} WHERE step = ${RESET_STEP}`)).toBeGreaterThanOrEqual(400);
    // One batch row per committed batch, written by the batch's own statement.
    expect(await count(db, `SELECT count(*) AS n FROM external_data.restitch_batches WHERE step = ${RESET_STEP}`)).toBe(await batchesOf(db));
    expect(ui.said.join('\n')).toMatch(/step 13: resumed after a pause of \d+ s \(throttle 48,210 > 20,000\)/);
    await db.end();
  });

  it('a failing throttle query pauses the run with its error shown, and the run goes on once it reads again', async () => {
    const dir = runbook('throttle-fail', 2);
    const { db, url } = await seeded(0);
    await upToReset(dir, url);
    const ui = listening();
    const running = runInProcess(dir, url, { to: 14, throttleQuery: await validateThrottleQuery('SELECT count(*) FROM later_queue'), throttleMax: 10, throttleIntervalMs: 50 }, ui);
    await until('the pause', () => openPause(db));
    await new Promise((r) => setTimeout(r, 300));
    expect(await batchesOf(db)).toBe(0);
    const reason = (await db.query<{ reason: string }>('SELECT reason FROM external_data.restitch_pauses')).rows[0]?.reason;
    expect(reason).toMatch(/^throttle query failed: relation "later_queue" does not exist \(SQLSTATE 42P01\)/);
    expect(ui.said.join('\n')).toContain('paused 0 s: throttle query failed: relation "later_queue" does not exist');
    await db.query('CREATE TABLE later_queue (id int)');
    const report = await running;
    expect(report.exitCode, JSON.stringify(report.steps)).toBe(0);
    expect(await doneCount(db, 'throttle-fail')).toBe(5);
    await db.end();
  });

  it('the throttle query runs read-only: a query that would write is refused by the server and holds the run', async () => {
    const dir = runbook('throttle-ro', 2);
    const { db, url } = await seeded(0);
    await upToReset(dir, url);
    await db.query('CREATE SEQUENCE s');
    // validateThrottleQuery refuses nextval(); passed here unvalidated, the READ ONLY transaction is the second guard.
    const running = runInProcess(dir, url, { to: 14, throttleQuery: "SELECT nextval('s')", throttleMax: 10, maxPauseMs: 300, throttleIntervalMs: 50 });
    const report = await running;
    expect(report.exitCode).toBe(1);
    expect(report.steps.find((s) => s.step === RESET_STEP)?.message).toMatch(/throttle query failed: cannot execute nextval\(\) in a read-only transaction/);
    expect(await count(db, 'SELECT last_value AS n FROM s')).toBe(1);
    expect((await db.query('SELECT is_called FROM s')).rows[0]?.is_called).toBe(false);
    await db.end();
  });

  it('a throttle command holds batches while it exits non-zero or prints a number above the limit', async () => {
    const dir = runbook('throttle-cmd', 2);
    const { db, url } = await seeded(0);
    await upToReset(dir, url);
    const reading = join(work, 'throttle-cmd.reading');
    writeFileSync(reading, 'not yet\n');
    const ui = listening();
    // Exits 1 while the file says "not yet" (wait), then prints the number in it.
    const command = `grep -q 'not yet' ${reading} && exit 1; cat ${reading}`;
    const running = runInProcess(dir, url, { to: 14, throttleCommand: command, throttleMax: 100, throttleIntervalMs: 50 }, ui);
    await until('the pause', () => openPause(db));
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(reading, '250\n');
    await until('the reading above the limit', async () => ui.said.some((l) => l.includes('throttle 250 > 100 (command)')));
    expect(await batchesOf(db)).toBe(0);
    writeFileSync(reading, '7\n');
    const report = await running;
    expect(report.exitCode, JSON.stringify(report.steps)).toBe(0);
    expect(ui.said.join('\n')).toContain('paused 0 s: throttle command failed: exited 1');
    expect(await doneCount(db, 'throttle-cmd')).toBe(5);
    await db.end();
  });

  it('a stop file stops cleanly at a batch boundary and releases the lease; a pause file holds the resumed run until it is removed', async () => {
    const dir = runbook('stop-file', 100);
    const { db, url } = await seeded(20_000);
    await upToReset(dir, url);
    const stop = join(work, 'stop-file.stop');
    const pause = join(work, 'stop-file.pause');
    const args = ['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14', '--stop-file', stop, '--pause-file', pause, '--throttle-interval', '50ms'];
    const first = startCli(args);
    await until('1000 events reset', async () => (await doneCount(db, 'stop-file')) >= 1000);
    writeFileSync(stop, '');
    const stopped = await first.done;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/13\/16 batch\s+interrupted/);
    expect(stopped.stdout).toContain(`stopped by the stop file ${stop}; remove ${stop}, then run the same command again: it resumes at step 13`);
    expect(await count(db, 'SELECT count(*) AS n FROM external_data.restitch_lease')).toBe(0);
    const atStop = await doneCount(db, 'stop-file');
    // Nothing half-done: the journal counted exactly the batches that committed.
    expect(await count(db, `SELECT rows_affected AS n FROM ${JOURNAL} WHERE step = ${RESET_STEP}`)).toBe(atStop);

    rmSync(stop);
    writeFileSync(pause, '');
    const second = startCli(args);
    await until('the pause', () => openPause(db));
    await new Promise((r) => setTimeout(r, 300));
    expect(await doneCount(db, 'stop-file')).toBe(atStop);
    rmSync(pause);
    const resumed = await second.done;
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/paused 0 s: pause file /);
    expect(await doneCount(db, 'stop-file')).toBe(20_005);
    expect(existsSync(stop) || existsSync(pause)).toBe(false);
    await db.end();
  });

  it('--max-pause: a pause longer than it ends the run with exit 1 and says why', async () => {
    const dir = runbook('max-pause', 2);
    const { db, url } = await seeded(0);
    await upToReset(dir, url);
    await db.query('INSERT INTO queue VALUES (1), (2)');
    const r = await startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14', '--throttle-query', 'SELECT count(*) FROM queue', '--throttle-max', '1', '--max-pause', '1s', '--throttle-interval', '100ms']).done;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/step 13 was paused 1\.\d s \(throttle 2 > 1\), longer than --max-pause 1\.0 s; the run stopped/);
    expect(await batchesOf(db)).toBe(0);
    const row = (await db.query(`SELECT status, error FROM ${JOURNAL} WHERE step = ${RESET_STEP}`)).rows[0];
    expect(row?.status).toBe('failed');
    expect(row?.error).toMatch(/longer than --max-pause/);
    await db.end();
  });

  it('refuses a throttle query that is not one read-only SELECT before connecting (exit 2)', () => {
    const dir = runbook('throttle-bad', 2);
    const r = runCli(['run', dir, '--db', 'postgresql://nobody@127.0.0.1:1/none', '--throttle-query', "SELECT count(*) FROM queue; DELETE FROM queue", '--throttle-max', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^restitch: --throttle-query must be one SELECT, not several statements\n$/);
    expect(runCli(['run', dir, '--throttle-query', 'SELECT 1']).stderr).toMatch(/--throttle-query needs --throttle-max N/);
    expect(runCli(['run', dir, '--throttle-max', '5']).stderr).toMatch(/--throttle-max needs --throttle-query or --throttle-command/);
    expect(runCli(['run', dir, '--max-pause', 'soon']).stderr).toMatch(/^restitch: --max-pause must look like 30s, 10m or 2h, not 'soon'\n$/);
    expect(runCli(['run', dir, '--pause-file', 'x', '--stop-file', 'x']).stderr).toMatch(/--pause-file and --stop-file must be different files/);
  });
});
