/**
 * The runner across a database restart: the real embedded server is stopped and started again
 * in the middle of the event reset (a batch step). The run reconnects, re-applies its session
 * settings and finishes with every event reset once; a restart that outlasts the retries ends
 * with exit 1, the resume command and the lease released, never exit 2.
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
import { orphanedEvents } from '../helpers/orphans.js';
import { confirmManual, COUNT_UPDATES, platformBeside, runInProcess, startCli } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-restart-'));
beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const JOURNAL = 'external_data.restitch_journal';
const RESET_STEP = 13;
const EVENTS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client of its own for each question: a restart cuts every connection. */
async function ask<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** The events stitched to identifiers no entity holds, on a client of its own. */
async function orphans(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await orphanedEvents(c);
  } finally {
    await c.end();
  }
}

const doneCount = async (url: string, incident: string) =>
  Number((await ask<{ n: string }>(url, `SELECT count(*) AS n FROM external_data.rs_${incident.replace(/-/g, '_')}_events_reset_done`))[0]?.n);

async function prepared(name: string): Promise<{ dir: string; url: string }> {
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await seedGluedEvents(db, EVENTS);
  await db.query(COUNT_UPDATES);
  await db.end();
  const url = server.url(name);
  const dir = join(work, name);
  const r = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', name, '--entity', E1, '--entity', E2, '--batch-size', '100', '--out', dir]);
  expect(r.code, r.stderr).toBe(0);
  const platform = platformBeside(url, false, JOURNAL);
  const report = await runInProcess(dir, url, { to: RESET_STEP - 1 });
  await platform.stop();
  expect(report.exitCode).toBe(0);
  return { dir, url };
}

describe('a database restart in the middle of a batch step', () => {
  it('the run reconnects and finishes: every event reset exactly once, the journal done', async () => {
    const { dir, url } = await prepared('restart1');
    const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', String(RESET_STEP + 1), '--batch-target', '0']);
    while ((await doneCount(url, 'restart1').catch(() => 0)) < 2000) await sleep(20);
    // Down for about a second, as a restart of a real server.
    await server.restart(1000);
    const r = await child.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/step 13: .*reconnecting in \d+ ms \(retry 1 of 5\)/);
    expect(await ask(url, 'SELECT n, count(*)::int AS events FROM update_counts GROUP BY n ORDER BY n')).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await doneCount(url, 'restart1')).toBe(EVENTS + 5);
    expect(await ask(url, `SELECT step, status FROM ${JOURNAL} WHERE step >= ${RESET_STEP} ORDER BY step`)).toEqual([
      { step: 13, status: 'done' },
      { step: 14, status: 'done' },
    ]);
    expect(await ask(url, 'SELECT * FROM external_data.restitch_lease')).toEqual([]);
    expect(await orphans(url), 'events stitched to identifiers no entity holds').toEqual([]);
  }, 120_000);

  it('a restart that outlasts the retries: exit 1 with the whole resume command, the lease released; the resumed run finishes', async () => {
    const { dir, url } = await prepared('restart2');
    const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', String(RESET_STEP + 1), '--batch-target', '0', '--retries', '1']);
    while ((await doneCount(url, 'restart2').catch(() => 0)) < 2000) await sleep(20);
    // Down for longer than one retry's backoff (500 ms) and its reconnect.
    await server.restart(3000);
    const r = await child.done;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/^restitch: connect ECONNREFUSED/m);
    expect(r.stdout).toMatch(/13\/16 batch\s+failed/);
    const safeUrl = url.replace(/:[^:@/]+@/, '@');
    expect(r.stdout + r.stderr).toContain(`restitch run ${dir} --db ${safeUrl}`);
    expect(r.stdout + r.stderr).not.toContain(server.password);
    expect(await ask(url, 'SELECT * FROM external_data.restitch_lease')).toEqual([]);
    const again = await startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', String(RESET_STEP + 1), '--batch-target', '0']).done;
    expect(again.code, again.stderr).toBe(0);
    expect(await ask(url, 'SELECT n, count(*)::int AS events FROM update_counts GROUP BY n ORDER BY n')).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await orphans(url), 'events stitched to identifiers no entity holds').toEqual([]);
  }, 120_000);
});
