/**
 * The lease (src/runner/lease.ts): two runs of one incident never run at once; a killed run's
 * lease is taken over after its timeout; a paused run whose lease was taken over stops at its
 * next journal write; `status` tells a live run from a dead one. Runs are real `restitch`
 * processes on the embedded PostgreSQL, and one case on the CockroachDB lane.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent, seedGluedEvents } from '../../src/sandbox/seed.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { connectionTarget, leaseTarget } from '../../src/runner/connection/connection.js';
import { Journal } from '../../src/runner/journal.js';
import { LeaseLostError } from '../../src/runner/lease/lease.js';
import { holdLease } from '../../src/runner/lease/leaseRun.js';
import { BATCHES_TABLE } from '../../src/runner/record/runRecord.js';
import { openSession } from '../../src/runner/connection/session.js';
import { silentUi } from '../../src/runner/ui.js';
import { loadSteps } from '../../src/core/steps.js';
import { runCli } from '../helpers/cli.js';
import { COCKROACH_COMPAT_SQL, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { confirmManual, COUNT_UPDATES, platformBeside, runInProcess, startCli } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-lease-'));
let dbCount = 0;
beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const JOURNAL = 'external_data.restitch_journal';
const LEASE = 'external_data.restitch_lease';
const HISTORY = 'external_data.restitch_journal_history';
const RESET_STEP = 13;
const EVENTS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function seeded(compat = ''): Promise<{ db: pg.Client; url: string }> {
  const name = `lease${++dbCount}`;
  const db = await server.database(name, compat + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await seedGluedEvents(db, EVENTS);
  await db.query(COUNT_UPDATES);
  return { db, url: server.url(name) };
}

/** A multi-entity runbook with small batches, so its event reset takes a while. */
function runbook(name: string, dialect = 'postgres'): string {
  const out = join(work, name);
  const r = runCli(['generate', 'multi-entity', '--dialect', dialect, '--incident', name, '--entity', E1, '--entity', E2, '--batch-size', '100', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

/** The steps before the event reset, with the clean-up routine beside. */
async function upToReset(dir: string, url: string, lane = false, to = RESET_STEP - 1): Promise<void> {
  const platform = platformBeside(url, false, JOURNAL);
  const report = lane ? await runOnLane(dir, url, { to }) : await runInProcess(dir, url, { to });
  await platform.stop();
  expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
}

const count = async (db: pg.Client, sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n);
const done = (db: pg.Client, incident: string) => count(db, `SELECT count(*) AS n FROM external_data.rs_${incident.replace(/-/g, '_')}_events_reset_done`);
const updates = async (db: pg.Client) => (await db.query('SELECT n, count(*)::int AS events FROM update_counts GROUP BY n ORDER BY n')).rows;
// The batch size kept fixed (--batch-target 0), so the batches can be counted.
const run = (dir: string, url: string, ...more: string[]) => startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', String(RESET_STEP + 1), '--batch-target', '0', ...more]);
const status = (dir: string, url: string) => JSON.parse(runCli(['status', dir, '--db', url, '--json']).stdout) as { lease: { live: boolean; pid: number; host: string } | null };

async function until(what: () => Promise<boolean>): Promise<void> {
  while (!(await what())) await sleep(20);
}

describe('the lease on a real PostgreSQL', () => {
  it('two runs started at once: one runs, the other refuses at once naming the holder; the journal counts are intact', async () => {
    const dir = runbook('lease-twice');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const a = run(dir, url);
    const b = run(dir, url);
    const [ea, eb] = await Promise.all([a.done, b.done]);
    const [winner, loser, loserPid] = ea.code === 0 ? [ea, eb, b.pid] : [eb, ea, a.pid];
    const winnerPid = loserPid === a.pid ? b.pid : a.pid;
    expect(winner.code, winner.stderr).toBe(0);
    expect(loser.code, loser.stdout).toBe(1);
    expect(loser.stderr).toMatch(new RegExp(`^restitch: another run holds this incident's lease: lease-twice on ${hostname()} pid ${winnerPid} \\(run [0-9a-f]{8}\\), started \\S+(, at step \\d+)?, last heartbeat \\d+s ago; nothing was run`, 'm'));
    expect(loser.stdout).not.toMatch(/\d+\/16 /);
    expect(loserPid).not.toBe(winnerPid);
    const row = (await db.query(`SELECT status, attempts, rows_affected, batches FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows[0];
    // The reset walks 64 key ranges (--parallel), each ending in a batch shorter than the others.
    expect(row).toMatchObject({ status: 'done', attempts: 1, rows_affected: String(EVENTS + 5) });
    expect(Number(row.batches)).toBeGreaterThanOrEqual(Math.ceil((EVENTS + 5) / 100));
    expect(Number(row.batches)).toBeLessThanOrEqual(Math.ceil((EVENTS + 5) / 100) + 64);
    expect(await updates(db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await count(db, `SELECT count(*) AS n FROM ${LEASE}`)).toBe(0);
    await db.end();
  }, 120_000);

  it('SIGKILL mid-batch: status calls the process gone and a new run takes over at once; the history keeps both attempts with who ran them', async () => {
    const dir = runbook('lease-kill');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const killed = run(dir, url);
    await until(async () => (await done(db, 'lease-kill')) >= 2000);
    expect(status(dir, url).lease).toMatchObject({ live: true, pid: killed.pid, host: hostname() });
    const statusText = runCli(['status', dir, '--db', url]).stdout;
    expect(statusText).toMatch(new RegExp(`running now: lease-kill on ${hostname()} pid ${killed.pid} \\(run [0-9a-f]{8}\\), started \\S+, at step 13, last heartbeat \\d+s ago`));
    killed.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    // Its heartbeat is fresh, but its pid is gone from this host: status and run agree at once.
    expect(status(dir, url).lease).toMatchObject({ live: false, gone: true });
    expect(runCli(['status', dir, '--db', url]).stdout).toMatch(
      new RegExp(`a run by ${hostname()} pid ${killed.pid} \\(lease-kill, run [0-9a-f]{8}\\) is gone \\(no such process on this host\\) during step 13; 'restitch run' takes over its lease at once`),
    );
    const takeover = await run(dir, url).done;
    expect(takeover.code, takeover.stderr).toBe(0);
    expect(takeover.stderr).toMatch(new RegExp(`took over the lease of a run whose process is gone \\(pid ${killed.pid} on this host\\): lease-kill on ${hostname()} pid ${killed.pid}`));
    expect(takeover.stderr).toContain(`resuming at step ${RESET_STEP}, which was interrupted`);
    expect(await updates(db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await done(db, 'lease-kill')).toBe(EVENTS + 5);
    expect(status(dir, url).lease).toBeNull();
    // Every attempt of step 13 is kept: the killed one (no end), then the one that finished.
    const history = await db.query(`SELECT attempt, status, ended_at IS NULL AS open, batches > 0 AS batched, db_user, os_user, host, run_id IS NOT NULL AS has_run FROM ${HISTORY} WHERE step = $1 ORDER BY attempt`, [RESET_STEP]);
    const who = { db_user: 'postgres', os_user: userInfo().username, host: hostname(), has_run: true };
    expect(history.rows).toEqual([
      { attempt: 1, status: 'running', open: true, batched: false, ...who },
      { attempt: 2, status: 'done', open: false, batched: true, ...who },
    ]);
    expect((await db.query(`SELECT db_user, os_user, host FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows).toEqual([{ db_user: 'postgres', os_user: userInfo().username, host: hostname() }]);
    const shown = runCli(['status', dir, '--db', url]).stdout;
    expect(shown).toMatch(new RegExp(`attempt 1: running, \\S+ \\(no end recorded: the run died or lost its connection\\), 0 rows, by ${userInfo().username}@${hostname()} \\(database user postgres\\), confirmed --yes`));
    expect(shown).toMatch(new RegExp(`attempt 2: done, \\S+ to \\S+, \\d+ rows in \\d+ batches, by ${userInfo().username}@${hostname()} \\(database user postgres\\)`));
    const json = JSON.parse(runCli(['status', dir, '--db', url, '--json']).stdout) as { steps: { attempts: unknown[] }[] };
    expect(json.steps[RESET_STEP - 1]?.attempts).toHaveLength(2);
    await db.end();
  }, 120_000);

  it("a run on another host killed: its declared --lease-timeout 5s decides, not the next run's 2 minutes; status and run name the same time", async () => {
    const dir = runbook('lease-elsewhere');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const killed = run(dir, url, '--lease-timeout', '5s');
    await until(async () => (await done(db, 'lease-elsewhere')) >= 1000);
    killed.kill('SIGKILL');
    await killed.done;
    // As if it had run on another machine: its pid tells nothing here.
    await db.query(`UPDATE ${LEASE} SET host = 'elsewhere'`);
    const refused = await run(dir, url).done;
    expect(refused.code, refused.stdout).toBe(1);
    const after = /run again after (\S+), when its lease expires, or release it now with 'restitch release-lease /.exec(refused.stderr)?.[1];
    expect(after, refused.stderr).toBeDefined();
    const shown = status(dir, url).lease as unknown as { live: boolean; takeoverAfter: string };
    expect(shown.takeoverAfter).toBe(after);
    await until(async () => status(dir, url).lease?.live === false);
    // No --lease-timeout: the default 2 minutes of this run do not matter.
    const takeover = await run(dir, url).done;
    expect(takeover.code, takeover.stderr).toBe(0);
    expect(takeover.stderr).toMatch(/took over the lease of a run that stopped heartbeating: lease-elsewhere on elsewhere pid \d+ .*\(its timeout 5s\)/);
    expect(await updates(db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    await db.end();
  }, 120_000);

  it('release-lease: shows the holder, refuses without a terminal or --yes, releases with --yes and records it; the next run starts at once', async () => {
    const dir = runbook('lease-release');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const killed = run(dir, url);
    await until(async () => (await done(db, 'lease-release')) >= 1000);
    killed.kill('SIGKILL');
    await killed.done;
    await db.query(`UPDATE ${LEASE} SET host = 'elsewhere'`);
    const asked = runCli(['release-lease', dir, '--db', url]);
    expect(asked.code, asked.stderr).toBe(1);
    expect(asked.stderr).toMatch(/the lease of incident lease-release is held by lease-release on elsewhere pid \d+ \(run [0-9a-f]{8}\)/);
    expect(asked.stderr).toMatch(/WARNING: it heartbeats/);
    expect(asked.stderr).toMatch(/^restitch: there is no terminal to confirm the release: run in a terminal, or pass --yes; the lease was kept$/m);
    expect(await count(db, `SELECT count(*) AS n FROM ${LEASE}`)).toBe(1);
    const runId = (await db.query<{ run_id: string }>(`SELECT run_id FROM ${LEASE}`)).rows[0]?.run_id;
    const released = runCli(['release-lease', dir, '--db', url, '--yes']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toContain(`released the lease of run ${runId?.slice(0, 8)}; recorded in ${HISTORY}`);
    expect(await count(db, `SELECT count(*) AS n FROM ${LEASE}`)).toBe(0);
    expect((await db.query(`SELECT step, status, confirmed_by, run_id, os_user, db_user FROM ${HISTORY} WHERE status = 'lease-released'`)).rows).toEqual([
      { step: RESET_STEP, status: 'lease-released', confirmed_by: '--yes', run_id: runId, os_user: userInfo().username, db_user: 'postgres' },
    ]);
    expect(runCli(['status', dir, '--db', url]).stdout).toMatch(/lease released, \S+ to \S+, by \S+ \(database user postgres\), confirmed --yes/);
    expect(runCli(['release-lease', dir, '--db', url]).stderr).toContain('no run holds the lease of incident lease-release: nothing to release');
    const next = await run(dir, url).done;
    expect(next.code, next.stderr).toBe(0);
    await db.end();
  }, 120_000);

  it('SIGHUP (an SSH session dropped) stops like SIGTERM: exit 130, the step interrupted in the journal, the lease released', async () => {
    const dir = runbook('lease-hup');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const hung = run(dir, url);
    await until(async () => (await done(db, 'lease-hup')) >= 1000);
    hung.kill('SIGHUP');
    const r = await hung.done;
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('restitch: SIGHUP: stopping');
    expect((await db.query(`SELECT status FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows).toEqual([{ status: 'interrupted' }]);
    expect(await count(db, `SELECT count(*) AS n FROM ${LEASE}`)).toBe(0);
    await db.end();
  }, 120_000);

  it('a paused run whose lease was taken over stops at its next journal write; no event is reset twice', async () => {
    const dir = runbook('lease-paused');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const paused = run(dir, url, '--lease-timeout', '2s');
    await until(async () => (await done(db, 'lease-paused')) >= 2000);
    paused.kill('SIGSTOP');
    await until(async () => status(dir, url).lease?.live === false);
    // The new run takes over; its batches wait for the rows the paused run's open batch holds.
    const next = run(dir, url, '--lease-timeout', '2s');
    await until(async () => (await count(db, `SELECT count(*) AS n FROM ${LEASE} WHERE pid = ${next.pid}`)) === 1);
    paused.kill('SIGCONT');
    const stopped = await paused.done;
    expect(stopped.code, stopped.stdout).toBe(1);
    expect(stopped.stderr).toMatch(new RegExp(`^restitch: this run lost its lease \\(another run took it over: lease-paused on ${hostname()} pid ${next.pid} .*\\); it stopped without writing anything more`, 'm'));
    const finished = await next.done;
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toMatch(new RegExp(`took over the lease of a run that stopped heartbeating: lease-paused on ${hostname()} pid ${paused.pid}`));
    expect(await updates(db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect((await db.query(`SELECT status FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows).toEqual([{ status: 'done' }]);
    await db.end();
  }, 120_000);

  it('a journal write or a commit after a takeover changes nothing and stops the run, before any heartbeat notices', async () => {
    const dir = runbook('lease-guard');
    const { db, url } = await seeded();
    const target = connectionTarget(url, {});
    const session = await openSession(target);
    // A long timeout: its heartbeat (every 15 s) does not come during this test.
    const req = { workSchema: 'external_data', incident: 'lease-guard', runbook: 'lease-guard', checksum: 'c', timeoutMs: 600_000, dir };
    const lease = await holdLease(session, req, { ui: silentUi, connect: () => openSession(leaseTarget(target)) });
    const journal = new Journal(session, 'external_data', 'lease-guard', 'c', lease);
    await journal.ensure();
    const [step] = loadSteps(readRunbook(dir).manifest, readRunbook(dir).files, false);
    await journal.start(step!);
    // Another run takes the lease over (as acquireLease does once this run's heartbeat is stale).
    await db.query(`UPDATE ${LEASE} SET run_id = 'the-other-run', pid = 4242 WHERE incident = 'lease-guard'`);
    await expect(journal.finish(step!, 'done', 0, null)).rejects.toThrow(LeaseLostError);
    await expect(journal.start(step!)).rejects.toThrow(/this run lost its lease \(another run took it over: lease-guard on \S+ pid 4242 .*\); it stopped without writing anything more/);
    expect((await db.query(`SELECT status, attempts FROM ${JOURNAL}`)).rows).toEqual([{ status: 'running', attempts: 1 }]);
    await session.query('BEGIN');
    await expect(lease.confirmWithin(session)).rejects.toThrow(LeaseLostError);
    await session.query('ROLLBACK');
    await lease.release();
    expect((await db.query(`SELECT run_id FROM ${LEASE}`)).rows).toEqual([{ run_id: 'the-other-run' }]);
    await session.close();
    await db.end();
  });

  it('a dry run takes no lease and says that a live run holds one', async () => {
    const dir = runbook('lease-dry');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const live = run(dir, url);
    await until(async () => (await done(db, 'lease-dry')) >= 1000);
    const dry = runCli(['run', dir, '--db', url, '--dry-run', '--only', String(RESET_STEP + 1)]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(new RegExp(`a run holds this incident's lease now \\(lease-dry on ${hostname()} pid ${live.pid} .*\\): the dry run reads data that run is changing`));
    expect((await live.done).code).toBe(0);
    await db.end();
  }, 120_000);
});

describe('the lease on the CockroachDB lane', () => {
  it('forward and undo of one incident at once: one runs, the other refuses naming the holder (lease numbers are INT8)', async () => {
    const dir = runbook('lease-lane', 'cockroachdb');
    const { db, url } = await seeded(COCKROACH_COMPAT_SQL);
    const EXPORT_STEP = 8;
    await upToReset(dir, url, true, EXPORT_STEP - 1);
    const forward = runOnLane(dir, url, { only: EXPORT_STEP });
    await until(async () => (await count(db, `SELECT count(*) AS n FROM ${LEASE} WHERE step = ${EXPORT_STEP}`)) === 1);
    expect((await db.query(`SELECT pg_typeof(pid)::text AS t FROM ${LEASE}`)).rows).toEqual([{ t: 'bigint' }]);
    await expect(runOnLane(dir, url, { undo: true })).rejects.toThrow(
      new RegExp(`another run holds this incident's lease: lease-lane on ${hostname()} pid ${process.pid} \\(run [0-9a-f]{8}\\), started \\S+, at step ${EXPORT_STEP}`),
    );
    const report = await forward;
    expect(report.steps[0], JSON.stringify(report.steps)).toMatchObject({ step: EXPORT_STEP, status: 'done' });
    expect(await count(db, `SELECT count(*) AS n FROM ${JOURNAL} WHERE runbook = 'lease-lane:undo'`)).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM ${LEASE}`)).toBe(0);
    await db.end();
  }, 120_000);
});

describe('restitch run --parallel (the event reset in key ranges, one session each)', () => {
  /** Every event as the reset leaves it, and how often each was updated. */
  const finalState = async (db: pg.Client) =>
    (await db.query<{ s: string }>(`SELECT md5(string_agg(e.id::text || ':' || coalesce(e.stitched::text, '-') || ':' || coalesce(e.identifiers::text, '-') || ':' || coalesce(u.n::text, '0'), ',' ORDER BY e.id)) AS s
       FROM customer_events AS e LEFT JOIN update_counts AS u ON u.id = e.id`)).rows[0]!.s;

  it('--parallel 2 leaves every event as a single session does, each updated once', async () => {
    const one = runbook('parallel-one');
    const two = runbook('parallel-two');
    const a = await seeded();
    const b = await seeded();
    await upToReset(one, a.url, false, RESET_STEP + 1);
    await upToReset(two, b.url);
    const r = await run(two, b.url, '--parallel', '2').done;
    expect(r.code, r.stderr).toBe(0);
    expect(await done(a.db, 'parallel-one')).toBe(EVENTS + 5);
    expect(await done(b.db, 'parallel-two')).toBe(EVENTS + 5);
    expect(await updates(b.db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await finalState(b.db)).toBe(await finalState(a.db));
    const row = (await b.db.query(`SELECT rows_affected FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows[0];
    expect(row).toEqual({ rows_affected: String(EVENTS + 5) });
    await a.db.end();
    await b.db.end();
  }, 180_000);

  it('SIGKILL during a parallel reset, then resume: every range goes on from its own highest key, no event twice, none skipped', async () => {
    const dir = runbook('parallel-kill');
    const { db, url } = await seeded();
    await upToReset(dir, url);
    const killed = run(dir, url, '--parallel', '2', '--lease-timeout', '5s');
    await until(async () => (await done(db, 'parallel-kill')) >= 3000);
    killed.kill('SIGKILL');
    await killed.done;
    const before = await done(db, 'parallel-kill');
    expect(before).toBeLessThan(EVENTS + 5);
    await until(async () => status(dir, url).lease?.live === false);
    const resumed = await run(dir, url, '--parallel', '2', '--lease-timeout', '5s').done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await updates(db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await done(db, 'parallel-kill')).toBe(EVENTS + 5);
    expect(await count(db, "SELECT count(*) AS n FROM customer_events WHERE identifiers = '{None}'")).toBe(0);
    await db.end();
  }, 180_000);

  /** Pairs of reset batches whose transactions overlapped in time: none when one session walks. */
  const overlapping = (db: pg.Client) =>
    count(db, `SELECT count(*) AS n FROM external_data.${BATCHES_TABLE} AS x JOIN external_data.${BATCHES_TABLE} AS y
      ON x.ctid < y.ctid AND x.started_at < y.ended_at AND y.started_at < x.ended_at WHERE x.step = ${RESET_STEP} AND y.step = ${RESET_STEP}`);

  it('without --parallel: two sessions where the server allows a statement parallel workers, one where it allows none', async () => {
    const allowed = runbook('parallel-default');
    const off = runbook('parallel-off');
    const a = await seeded();
    const b = await seeded();
    const name = (await b.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    await b.db.query(`ALTER DATABASE ${name} SET max_parallel_workers_per_gather = 0`);
    await upToReset(allowed, a.url);
    await upToReset(off, b.url);
    const two = await run(allowed, a.url).done;
    const one = await run(off, b.url).done;
    expect(two.code, two.stderr).toBe(0);
    expect(one.code, one.stderr).toBe(0);
    expect(two.stderr).toMatch(/^walks in key ranges: 2 sessions \(the server allows a statement 2 parallel worker\(s\) and has \d+ connections free; --parallel N to choose\)$/m);
    expect(one.stderr).toMatch(/^walks in key ranges: 1 session \(the server allows a statement no parallel workers \(max_parallel_workers_per_gather or max_parallel_workers is 0\); --parallel N to choose\)$/m);
    expect(await overlapping(a.db)).toBeGreaterThan(0);
    expect(await overlapping(b.db)).toBe(0);
    expect(await updates(a.db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    expect(await updates(b.db)).toEqual([{ n: 1, events: EVENTS + 5 }]);
    await a.db.end();
    await b.db.end();
  }, 180_000);
});
